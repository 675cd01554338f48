"""The openai backend against misbehaving servers on loopback: retried, then one clear line."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator

import pytest
from loopback_server import TOKEN_LOGPROB, Fault, ScriptedServer, toy_answer, toy_echo

from harness.backends import LoglikelihoodRequest
from harness.backends.openai_backend import OpenAIBackend
from harness.errors import HarnessError

REQUEST = LoglikelihoodRequest("The capital of France is", " Paris")
SECRET = "sk-test-0123456789abcdef"


@pytest.fixture
def server() -> Iterator[ScriptedServer]:
    scripted = ScriptedServer()
    yield scripted
    scripted.close()


def backend(*urls: str, **kwargs: object) -> OpenAIBackend:
    options: dict = {"backoff_s": 0.01, "max_retries": 3, **kwargs}
    return OpenAIBackend(list(urls), **options)


def calibrated(server: ScriptedServer, **kwargs: object) -> OpenAIBackend:
    """A backend that has already probed the server, so faults hit the scored request."""
    client = backend(server.url, **kwargs)
    client.loglikelihood([REQUEST])
    server.fault_after = server.completion_requests()
    return client


def test_toy_server_scores_one_token_per_word(server: ScriptedServer) -> None:
    (result,) = backend(server.url).loglikelihood([REQUEST])
    assert result.logprob == pytest.approx(TOKEN_LOGPROB)
    assert result.n_tokens == 1
    assert result.is_greedy


@pytest.mark.parametrize(
    "fault",
    [
        Fault(500),
        Fault(503),
        Fault(429, headers={"Retry-After": "0"}),
        Fault(200, body=b'{"choices": [{"text": "trunc'),
    ],
    ids=["500", "503", "429", "malformed-json"],
)
def test_a_passing_fault_is_retried(server: ScriptedServer, fault: Fault) -> None:
    client = calibrated(server)
    before = server.completion_requests()
    server.faults = [fault, fault]
    (result,) = client.loglikelihood([REQUEST])
    assert result.logprob == pytest.approx(TOKEN_LOGPROB)
    assert server.completion_requests() - before == 3  # two faults, then the answer


def test_wrong_number_of_logprobs_is_retried_then_one_line(server: ScriptedServer) -> None:
    client = calibrated(server)
    bad = toy_echo(REQUEST.context + REQUEST.continuation)
    bad["choices"][0]["logprobs"]["token_logprobs"].pop()
    server.faults = [Fault(200, body=json.dumps(bad).encode())] * 10
    before = server.completion_requests()
    with pytest.raises(HarnessError) as error:
        client.loglikelihood([REQUEST])
    message = str(error.value)
    assert "\n" not in message
    assert "logprobs lists differ in length" in message
    assert server.completion_requests() - before == 3  # one endpoint: dropped after 3 in a row


@pytest.mark.parametrize("body", [b"not json", b'{"error": "boom"}'])
def test_a_server_that_keeps_failing_ends_the_run_with_one_line(
    server: ScriptedServer, body: bytes
) -> None:
    client = calibrated(server)
    server.faults = [Fault(500, body=body)] * 20
    with pytest.raises(HarnessError) as error:
        client.loglikelihood([REQUEST] * 3)
    message = str(error.value)
    assert "\n" not in message
    assert server.url in message


def test_requests_move_to_the_live_endpoint_when_one_is_dropped() -> None:
    good, bad = ScriptedServer(), ScriptedServer()
    try:
        bad.faults = [Fault(500)] * 100
        client = backend(bad.url, good.url, max_concurrency=1)
        requests = [LoglikelihoodRequest(f"Item {i} is", f" number{i}") for i in range(8)]
        results = client.loglikelihood(requests)
        assert [r.logprob for r in results] == [pytest.approx(TOKEN_LOGPROB)] * 8
        assert client.pool.endpoints[0].dropped and not client.pool.endpoints[1].dropped
        scored = [p["prompt"] for path, _, p in good.requests if p.get("echo")]
        for request in requests:  # each answered exactly once, on the live server
            assert scored.count(request.context + request.continuation) == 1
    finally:
        good.close()
        bad.close()


def test_a_client_error_is_not_retried(server: ScriptedServer) -> None:
    client = calibrated(server)
    server.faults = [Fault(404, body=b'{"error": "no such model"}')]
    before = server.completion_requests()
    with pytest.raises(HarnessError, match="HTTP 404"):
        client.loglikelihood([REQUEST])
    assert server.completion_requests() - before == 1


def test_the_api_key_is_sent_but_never_shown(
    server: ScriptedServer, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("TOY_API_KEY", SECRET)
    caplog.set_level(logging.DEBUG)
    client = calibrated(server, api_key_env="TOY_API_KEY")
    assert server.requests[-1][1]["Authorization"] == f"Bearer {SECRET}"
    server.faults = [Fault(401, body=json.dumps({"error": f"bad key {SECRET}"}).encode())]
    with pytest.raises(HarnessError) as refused:
        client.loglikelihood([REQUEST])
    server.faults = [Fault(500, body=f"key {SECRET} rejected".encode())] * 20
    with pytest.raises(HarnessError) as failed:
        client.loglikelihood([REQUEST])
    shown = [str(refused.value), str(failed.value), repr(client), repr(client.pool), caplog.text]
    shown += [repr(vars(client)), repr(vars(client.pool))]
    assert all(SECRET not in text for text in shown)
    assert "HTTP 401" in str(refused.value)


def test_a_missing_api_key_variable_is_one_line() -> None:
    with pytest.raises(HarnessError, match=r"NO_SUCH_KEY_VAR .* is not set"):
        OpenAIBackend("http://127.0.0.1:9/v1", api_key_env="NO_SUCH_KEY_VAR")


def test_retry_after_is_honoured(server: ScriptedServer) -> None:
    import time

    client = calibrated(server, backoff_s=0.0)
    server.faults = [Fault(429, headers={"Retry-After": "0.3"})]
    started = time.monotonic()
    client.loglikelihood([REQUEST])
    assert time.monotonic() - started >= 0.3


def test_unreachable_server_is_one_line() -> None:
    client = backend("http://127.0.0.1:9/v1", max_retries=2)
    with pytest.raises(HarnessError) as error:
        client.loglikelihood([REQUEST])
    assert "\n" not in str(error.value)
    assert "ConnectError" in str(error.value)


def test_generation_cuts_at_stop_and_sends_the_settings() -> None:
    def answer(path: str, payload: dict) -> dict:
        if payload.get("prompt") == "Say:":
            return {"choices": [{"text": " yes\nno", "finish_reason": "stop"}]}
        return toy_answer(path, payload)

    server = ScriptedServer(answer)
    try:
        from harness.backends import GenerationRequest, make_generation_config

        config = make_generation_config({"max_new_tokens": 7, "stop": ["\n"], "seed": 3})
        (result,) = backend(server.url).generate([GenerationRequest("Say:", config)])
        assert result.text == " yes"
        sent = next(p for _, _, p in server.requests if p.get("prompt") == "Say:")
        assert sent["max_tokens"] == 7 and sent["stop"] == ["\n"] and sent["seed"] == 3
        assert sent["temperature"] == 0.0
    finally:
        server.close()
