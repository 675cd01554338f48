"""One stream of loglikelihood and rolling requests from many groups (tasks): the numbers of
plain forwards, each request answered once, groups batched together, skipped waves not run."""

import pytest
from backend_reference import continuation_logprob, split_like_lm_eval

import harness.backends.hf as hf
from harness.backends import HFBackend, LoglikelihoodRequest, RollingRequest
from harness.backends.requests import LoglikelihoodResult, RollingResult
from harness.backends.scoring_stream import stream_scores
from harness.models import LoadedModel

FEW_SHOT = "Q: Coal is\nA: black\n\nQ: Milk is\nA: white\n\nQ: Tar is\nA: black\n\n"
TASK_A = [LoglikelihoodRequest(FEW_SHOT + "Q: The sky is\nA:", c) for c in (" blue", " green")]
TASK_B = [LoglikelihoodRequest("Grass is", c) for c in (" green", " red and brown")]
TASK_C = [
    RollingRequest("One two three four five six seven eight nine ten. " * 3),
    RollingRequest(""),
]
REQUESTS = TASK_A + TASK_B + TASK_C
GROUPS = [[0, 1], [2, 3], [4, 5]]


def expected(tiny: LoadedModel, request: LoglikelihoodRequest | RollingRequest) -> float:
    if isinstance(request, LoglikelihoodRequest):
        context, continuation = split_like_lm_eval(tiny, request.context, request.continuation)
        return continuation_logprob(tiny, context, continuation)
    tokens = tiny.tokenizer.encode(request.text)
    return continuation_logprob(tiny, [tiny.tokenizer.bos_token_id], tokens) if tokens else 0.0


def count_batches(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The number of rows of every forward pass the backend makes for scoring."""
    rows: list[int] = []
    original = HFBackend._score_batch

    def counting(self: HFBackend, batch: list, **kwargs: object) -> object:
        rows.append(len(batch))
        return original(self, batch, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(HFBackend, "_score_batch", counting)
    return rows


def test_a_mixed_stream_answers_every_request_once_with_plain_forward_numbers(
    tiny: LoadedModel,
) -> None:
    backend = HFBackend(tiny)
    answered = [pair for part in backend.score_stream(REQUESTS, GROUPS) for pair in part]
    assert sorted(index for index, _ in answered) == list(range(len(REQUESTS)))
    results = dict(answered)
    for index, request in enumerate(REQUESTS):
        kind = LoglikelihoodResult if isinstance(request, LoglikelihoodRequest) else RollingResult
        assert isinstance(results[index], kind)
        assert results[index].logprob == pytest.approx(expected(tiny, request), abs=1e-5)


def test_the_stream_equals_the_calls_group_by_group(tiny: LoadedModel) -> None:
    streamed = dict(
        pair for part in HFBackend(tiny).score_stream(REQUESTS, GROUPS) for pair in part
    )
    alone = HFBackend(tiny)
    one_by_one = alone.loglikelihood(TASK_A) + alone.loglikelihood(TASK_B)
    one_by_one += alone.loglikelihood_rolling(TASK_C)  # type: ignore[operator]
    for index, result in enumerate(one_by_one):
        assert streamed[index].logprob == pytest.approx(result.logprob, abs=1e-5)
        assert streamed[index].n_tokens == result.n_tokens
    assert [streamed[i].is_greedy for i in range(4)] == [r.is_greedy for r in one_by_one[:4]]  # type: ignore[union-attr]


def test_small_groups_share_batches(tiny: LoadedModel, monkeypatch: pytest.MonkeyPatch) -> None:
    rows = count_batches(monkeypatch)
    pairs = TASK_B + [LoglikelihoodRequest("Snow is", c) for c in (" white", " black")]
    list(HFBackend(tiny, batch_size=8).score_stream(pairs, [[0, 1], [2, 3]]))
    # Each group is one row (its choices share it); called group by group they would make
    # two forward passes of one row each.
    assert rows == [2]


def test_a_wave_without_a_wanted_group_is_not_run(
    tiny: LoadedModel, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(hf, "STREAM_WAVE_BATCHES", 0)  # every group closes its own wave
    backend = HFBackend(tiny)
    answered = [
        index
        for part in backend.score_stream(REQUESTS, GROUPS, wanted=[False, True, False])
        for index, _ in part
    ]
    assert sorted(answered) == [2, 3]
    alone = HFBackend(tiny)
    alone.loglikelihood(TASK_B)
    assert backend.tokens_processed == alone.tokens_processed


def test_a_wave_with_a_wanted_group_runs_whole(tiny: LoadedModel) -> None:
    backend = HFBackend(tiny)  # one wave: everything is small
    answered = dict(
        pair
        for part in backend.score_stream(REQUESTS, GROUPS, wanted=[False, True, False])
        for pair in part
    )
    assert sorted(answered) == list(range(len(REQUESTS)))


def test_progress_counts_each_request_once_and_every_token(tiny: LoadedModel) -> None:
    seen: list[tuple[int, int]] = []
    backend = HFBackend(tiny, batch_size=1)
    list(stream_scores(backend, REQUESTS, GROUPS, lambda n, t: seen.append((n, t))))
    assert sum(n for n, _ in seen) == len(REQUESTS)
    assert sum(t for _, t in seen) == backend.tokens_processed > 0
