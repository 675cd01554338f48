"""Batches within a row cap and a token budget; halved, not failed, when memory runs out."""

import pytest
import torch

import harness.backends.hf as hf
from harness.backends import GenerationConfig, GenerationRequest, HFBackend, LoglikelihoodRequest
from harness.models import LoadedModel

REQUESTS = [  # from 3 to 40 tokens, sharing no prefix worth running once
    LoglikelihoodRequest(f"Count to {k}: " + " ".join(str(n) for n in range(k)), f" {k}")
    for k in (15, 2, 9, 5, 12, 3, 7, 1)
]
CPU_OOM = "[enforce fail at alloc_cpu.cpp:117] DefaultCPUAllocator: can't allocate memory"


def record_batch_shapes(monkeypatch: pytest.MonkeyPatch, fail_above: int | None = None) -> list:
    """(rows, padded width) of every forward pass; passes of more than ``fail_above`` rows
    raise the CPU allocator's out-of-memory error instead."""
    shapes: list[tuple[int, int]] = []
    original = hf.score_positions

    def spy(model: object, input_ids: torch.Tensor, *args: object, **kwargs: object) -> object:
        if fail_above is not None and input_ids.shape[0] > fail_above:
            raise RuntimeError(CPU_OOM)
        shapes.append(tuple(input_ids.shape))
        return original(model, input_ids, *args, **kwargs)

    monkeypatch.setattr(hf, "score_positions", spy)
    return shapes


def test_batches_stay_within_the_token_budget(
    tiny: LoadedModel, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = HFBackend(tiny, batch_size=1).loglikelihood(REQUESTS)
    shapes = record_batch_shapes(monkeypatch)
    got = HFBackend(tiny, batch_size=None, max_batch_tokens=48).loglikelihood(REQUESTS)
    assert [r.logprob for r in got] == pytest.approx([r.logprob for r in expected], abs=1e-5)
    assert all(rows * width <= 48 or rows == 1 for rows, width in shapes)
    assert max(rows for rows, _ in shapes) > 1  # short rows do share a batch
    assert sum(rows for rows, _ in shapes) == len(REQUESTS)


def test_a_batch_that_runs_out_of_memory_is_halved(
    tiny: LoadedModel, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = HFBackend(tiny, batch_size=8).loglikelihood(REQUESTS)
    shapes = record_batch_shapes(monkeypatch, fail_above=2)
    backend = HFBackend(tiny, batch_size=8)
    got = backend.loglikelihood(REQUESTS)
    assert [r.logprob for r in got] == pytest.approx([r.logprob for r in expected], abs=1e-5)
    assert [r.is_greedy for r in got] == [r.is_greedy for r in expected]
    assert [rows for rows, _ in shapes] == [2, 2, 2, 2]
    assert backend._row_cap == 2  # later batches start at the size that fitted


def test_a_single_row_that_runs_out_of_memory_is_an_error(
    tiny: LoadedModel, monkeypatch: pytest.MonkeyPatch
) -> None:
    record_batch_shapes(monkeypatch, fail_above=0)
    with pytest.raises(RuntimeError, match="can't allocate memory"):
        HFBackend(tiny, batch_size=8).loglikelihood(REQUESTS)


def test_other_errors_are_not_retried(tiny: LoadedModel, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []

    def broken(*args: object, **kwargs: object) -> object:
        calls.append(1)
        raise RuntimeError("shape mismatch")

    monkeypatch.setattr(hf, "score_positions", broken)
    with pytest.raises(RuntimeError, match="shape mismatch"):
        HFBackend(tiny, batch_size=8).loglikelihood(REQUESTS)
    assert calls == [1]


def test_generation_halves_a_batch_that_runs_out_of_memory(
    tiny_untied: LoadedModel, monkeypatch: pytest.MonkeyPatch
) -> None:
    prompts = ["Once upon a time", "Hi", "A list of fruits: apples, pears,", "The sky is"]
    requests = [GenerationRequest(p, GenerationConfig(max_new_tokens=5)) for p in prompts]
    expected = HFBackend(tiny_untied, batch_size=4).generate(requests)
    original = hf.generate_batch  # the static path (continuous batching has its own test)
    sizes: list[int] = []

    def spy(model: object, tokenizer: object, batch: list, *args: object, **kwargs: object) -> list:
        if len(batch) > 1:
            raise torch.OutOfMemoryError("CUDA out of memory")
        sizes.append(len(batch))
        return original(model, tokenizer, batch, *args, **kwargs)

    monkeypatch.setattr(hf, "generate_batch", spy)
    backend = HFBackend(tiny_untied, batch_size=4, continuous_batching=False)
    assert backend.generate(requests) == expected
    assert sizes == [1, 1, 1, 1]
    assert backend._row_cap == 1


def test_the_default_budget_on_cpu_keeps_batches_small(tiny: LoadedModel) -> None:
    assert HFBackend(tiny).max_batch_tokens == hf.CPU_BATCH_TOKENS == 512
    assert HFBackend(tiny, max_batch_tokens=4096).max_batch_tokens == 4096
