"""HFBackend.loglikelihood_rolling against lm-eval's windows scored by plain forwards."""

import pytest
from backend_reference import continuation_logprob
from lm_eval.utils import get_rolling_token_windows, make_disjoint_window

from harness.backends import HFBackend, RollingRequest, selective_logprobs
from harness.backends.rolling_windows import rolling_windows
from harness.models import LoadedModel

SHORT = "The quick brown fox jumps over the lazy dog."
LONG = "One two three four five six seven eight nine ten. " * 4  # about 50 tokens


def lm_eval_windows(
    tokens: list[int], prefix: int, max_length: int
) -> list[tuple[list[int], list[int]]]:
    return [
        make_disjoint_window(window)
        for window in get_rolling_token_windows(tokens, prefix, max_length, context_len=1)
    ]


@pytest.mark.parametrize("n_tokens", [0, 1, 5, 16, 17, 31, 32, 33, 50])
def test_windows_equal_lm_eval_s(n_tokens: int) -> None:
    tokens = list(range(100, 100 + n_tokens))
    assert rolling_windows(tokens, prefix_token=1, max_length=16) == lm_eval_windows(tokens, 1, 16)


def test_short_text_is_one_forward_after_the_prefix_token(tiny: LoadedModel) -> None:
    (result,) = HFBackend(tiny).loglikelihood_rolling([RollingRequest(SHORT)])
    tokens = tiny.tokenizer.encode(SHORT)
    assert result.logprob == pytest.approx(
        continuation_logprob(tiny, [tiny.tokenizer.bos_token_id], tokens), abs=1e-5
    )
    assert result.n_tokens == len(tokens)
    assert result.n_bytes == len(SHORT.encode("utf-8"))


def test_long_text_sums_its_windows(tiny: LoadedModel) -> None:
    (result,) = HFBackend(tiny, max_length=16).loglikelihood_rolling([RollingRequest(LONG)])
    tokens = tiny.tokenizer.encode(LONG)
    windows = lm_eval_windows(tokens, tiny.tokenizer.bos_token_id, 16)
    assert len(windows) >= 3
    expected = sum(continuation_logprob(tiny, context, predicted) for context, predicted in windows)
    assert result.logprob == pytest.approx(expected, abs=1e-4)
    assert result.n_tokens == len(tokens)


def test_windowing_changes_the_score_of_a_long_text(tiny: LoadedModel) -> None:
    (whole,) = HFBackend(tiny).loglikelihood_rolling([RollingRequest(LONG)])
    (windowed,) = HFBackend(tiny, max_length=16).loglikelihood_rolling([RollingRequest(LONG)])
    assert whole.n_tokens == windowed.n_tokens
    assert whole.logprob != pytest.approx(windowed.logprob, abs=1e-3)


def test_results_keep_request_order_and_count_each_text_once(tiny: LoadedModel) -> None:
    texts = [LONG, "", SHORT, "é ü 中文"]
    progress: list[tuple[int, int]] = []
    backend = HFBackend(tiny, batch_size=2, max_length=16)
    results = backend.loglikelihood_rolling(
        [RollingRequest(text) for text in texts],
        progress=lambda items, tokens: progress.append((items, tokens)),
    )
    separately = [backend.loglikelihood_rolling([RollingRequest(text)])[0] for text in texts]
    assert [r.logprob for r in results] == pytest.approx([r.logprob for r in separately], abs=1e-5)
    assert results[1].logprob == 0.0 and results[1].n_tokens == 0
    assert [r.n_bytes for r in results] == [len(t.encode("utf-8")) for t in texts]
    assert sum(items for items, _ in progress) == len(texts)


def test_scoring_positions_in_chunks_changes_nothing(
    tiny: LoadedModel, monkeypatch: pytest.MonkeyPatch
) -> None:
    (whole,) = HFBackend(tiny).loglikelihood_rolling([RollingRequest(LONG)])
    monkeypatch.setattr(selective_logprobs, "CHUNK_ROWS", 3)
    (chunked,) = HFBackend(tiny).loglikelihood_rolling([RollingRequest(LONG)])
    assert chunked.logprob == pytest.approx(whole.logprob, abs=1e-5)
