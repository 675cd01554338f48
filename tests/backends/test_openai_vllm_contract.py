"""Contract test: vLLM's completions answers, replayed over loopback HTTP, through our client.

vLLM takes token-id prompts (``"prompt": [1, 2, 3]``) and, with ``echo: true`` and
``logprobs: k``, returns the OpenAI ``logprobs`` block for the prompt followed by the
generated token: ``tokens``, ``text_offset``, ``token_logprobs`` (``null`` for the first
prompt token) and ``top_logprobs`` (``null`` first, then up to k alternatives plus the
token itself). The server below answers in exactly that shape, with a made-up but fixed
logprob per token id, so the expected sums are known by hand.
"""

from __future__ import annotations

from typing import Any

import pytest
from loopback_server import ScriptedServer

from harness.backends import LoglikelihoodRequest, RollingRequest
from harness.backends.encoding import encode_pair, encode_text
from harness.backends.openai_backend import OpenAIBackend
from harness.models import LoadedModel

VLLM_MODEL = "meta-llama/Llama-3.1-8B-Instruct"


def token_logprob(token_id: int) -> float:
    return -(0.1 + (token_id % 10) / 10)


def vllm_answer(tokenizer: Any) -> Any:
    def answer(path: str, payload: dict[str, Any]) -> dict[str, Any]:
        if path.endswith("/models"):
            return {
                "object": "list",
                "data": [{"id": VLLM_MODEL, "object": "model", "owned_by": "vllm"}],
            }
        prompt = payload["prompt"]
        assert isinstance(prompt, list), "the client must send token ids to vLLM"
        generated = 13
        ids = [*prompt, generated]
        tokens = [tokenizer.decode([token]) for token in ids]
        offsets, position = [], 0
        for token in tokens:
            offsets.append(position)
            position += len(token)
        values: list[float | None] = [None] + [token_logprob(t) for t in ids[1:]]
        top: list[dict[str, float] | None] = [None] + [
            {token: token_logprob(t), "<alt>": token_logprob(t) - 1.0}
            for token, t in zip(tokens[1:], ids[1:], strict=True)
        ]
        return {
            "id": "cmpl-0123",
            "object": "text_completion",
            "created": 1733000000,
            "model": VLLM_MODEL,
            "choices": [
                {
                    "index": 0,
                    "text": "".join(tokens),
                    "logprobs": {
                        "text_offset": offsets,
                        "token_logprobs": values,
                        "tokens": tokens,
                        "top_logprobs": top,
                    },
                    "finish_reason": "length",
                    "stop_reason": None,
                    "prompt_logprobs": None,
                }
            ],
            "usage": {
                "prompt_tokens": len(prompt),
                "total_tokens": len(prompt) + 1,
                "completion_tokens": 1,
            },
        }

    return answer


@pytest.fixture
def vllm(tiny: LoadedModel) -> Any:
    server = ScriptedServer(vllm_answer(tiny.tokenizer))
    yield server
    server.close()


def test_loglikelihood_uses_token_ids_and_sums_the_continuation(
    vllm: ScriptedServer, tiny: LoadedModel
) -> None:
    backend = OpenAIBackend(vllm.url, tokenizer=tiny.tokenizer)
    requests = [
        LoglikelihoodRequest("The capital of France is", " Paris"),
        LoglikelihoodRequest("Question: 2 + 2 =\nAnswer: ", "4, of course"),
        LoglikelihoodRequest("", "Hello"),
    ]
    results = backend.loglikelihood(requests)
    for request, result in zip(requests, results, strict=True):
        _, continuation = encode_pair(tiny.tokenizer, request.context, request.continuation)
        assert result.logprob == pytest.approx(sum(token_logprob(t) for t in continuation))
        assert result.n_tokens == len(continuation)
        assert result.is_greedy
    assert backend.model == VLLM_MODEL
    assert all(isinstance(p["prompt"], list) for _, _, p in vllm.requests if "prompt" in p)
    assert backend.tokens_processed > 0


def test_rolling_loglikelihood_scores_every_token_once_in_windows(
    vllm: ScriptedServer, tiny: LoadedModel
) -> None:
    text = "One two three four five six seven eight nine ten eleven twelve."
    backend = OpenAIBackend(vllm.url, tokenizer=tiny.tokenizer, max_length=4)
    (result,) = backend.loglikelihood_rolling([RollingRequest(text)])
    tokens = encode_text(tiny.tokenizer, text)
    assert result.n_tokens == len(tokens)
    assert result.logprob == pytest.approx(sum(token_logprob(t) for t in tokens))
    windows = [p for _, _, p in vllm.requests if p.get("echo")][1:]  # after the probe
    assert len(windows) == -(-len(tokens) // 4)
