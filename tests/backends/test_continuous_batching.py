"""Continuous batching: rows leave and join mid-run, and every output is still what
``model.generate`` gives the prompt alone (greedy) or what its seed gives (sampling)."""

import random
from collections.abc import Iterator
from typing import Any

import pytest
import torch

from harness.backends import GenerationConfig, GenerationRequest, HFBackend
from harness.backends import hf as hf_module
from harness.backends.stop_sequences import TailStopCheck, cut_at_stop
from harness.models import LoadedModel

PROMPTS = [
    "Once upon a time",
    "Hi",
    "The weather today is sunny, and the forecast for tomorrow says",
    "A list of fruits: apples, pears,",
    "Q: what is two plus two?\nA:",
]
LIMITS = [3, 17, 6, 12, 9]  # rows end at different steps, so waiting rows join mid-run


def alone(loaded: LoadedModel, prompt: str, max_new_tokens: int) -> list[int]:
    """``model.generate`` on the prompt by itself, greedy."""
    ids = torch.tensor([loaded.tokenizer.encode(prompt)])
    with torch.inference_mode():
        output = loaded.model.generate(
            ids, attention_mask=torch.ones_like(ids), max_new_tokens=max_new_tokens, do_sample=False
        )
    return output[0, ids.shape[1] :].tolist()


@pytest.mark.parametrize("batch_size", [1, 2, 3, 8])
def test_greedy_rows_joining_mid_run_equal_model_generate_alone(
    tiny_untied: LoadedModel, batch_size: int
) -> None:
    requests = [
        GenerationRequest(p, GenerationConfig(max_new_tokens=n))
        for p, n in zip(PROMPTS, LIMITS, strict=True)
    ]
    results = HFBackend(tiny_untied, generation_rows=batch_size).generate(requests)
    for result, prompt, limit in zip(results, PROMPTS, LIMITS, strict=True):
        ids = alone(tiny_untied, prompt, limit)
        assert result.n_tokens == limit
        assert result.text == tiny_untied.tokenizer.decode(ids, skip_special_tokens=True)


def test_rows_taken_over_in_place_widened_and_cut_still_equal_model_generate(
    tiny_untied: LoadedModel, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Many requests through few rows: finished rows are taken over in place, a newcomer
    wider than the batch widens it, unused leading columns are cut; outputs do not change."""
    from harness.backends import continuous_batching

    calls: dict[str, int] = {"write_rows": 0, "_widen": 0, "select": 0}
    for cls, name in (
        (continuous_batching._GrowingLayer, "write_rows"),
        (continuous_batching._Batch, "_widen"),
        (continuous_batching._Batch, "select"),
    ):
        original = getattr(cls, name)

        def counted(*args: Any, _original: Any = original, _name: str = name) -> Any:
            calls[_name] += 1
            return _original(*args)

        monkeypatch.setattr(cls, name, counted)
    monkeypatch.setattr(continuous_batching, "MIN_COLUMNS_CUT", 2)
    rng = random.Random(3)
    words = [
        "the",
        "cat",
        "sat",
        "on",
        "a",
        "mat",
        "while",
        "rain",
        "fell",
        "over",
        "quiet",
        "hills",
        "and",
        "rivers",
    ]
    # Two groups (tasks): short prompts first, then long ones that are wider than the batch.
    prompts = [" ".join(rng.choices(words, k=n)) for n in [1, 2, 3, 2, 1, 4, 2] + [40] * 6]
    limits = [rng.randint(1, 12) for _ in prompts]
    requests = [
        GenerationRequest(p, GenerationConfig(max_new_tokens=n))
        for p, n in zip(prompts, limits, strict=True)
    ]
    backend = HFBackend(tiny_untied, generation_rows=4)
    answered = dict(
        pair
        for batch in backend.generate_stream(requests, [range(7), range(7, len(requests))])
        for pair in batch
    )
    results = [answered[i] for i in range(len(requests))]
    for result, prompt, limit in zip(results, prompts, limits, strict=True):
        ids = alone(tiny_untied, prompt, limit)
        assert result.text == tiny_untied.tokenizer.decode(ids, skip_special_tokens=True)
    assert all(calls.values()), calls  # every path above was taken


def test_stop_strings_end_rows_at_the_same_token_as_the_static_path(
    tiny_untied: LoadedModel,
) -> None:
    texts = [
        tiny_untied.tokenizer.decode(alone(tiny_untied, p, 16), skip_special_tokens=True)
        for p in PROMPTS
    ]
    stops = (texts[0][8:11], texts[2][20:22], texts[3][5:7])
    config = GenerationConfig(max_new_tokens=16, stop=stops)
    requests = [GenerationRequest(p, config) for p in PROMPTS]
    continuous = HFBackend(tiny_untied, generation_rows=2).generate(requests)
    static = HFBackend(tiny_untied, batch_size=2, continuous_batching=False).generate(requests)
    assert continuous == static
    assert [r.text for r in continuous] == [cut_at_stop(t, stops) for t in texts]
    assert len({r.n_tokens for r in continuous}) > 1  # rows really left at different steps


def test_eos_ends_a_row_without_keeping_the_eos_token(
    tiny_untied: LoadedModel, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = alone(tiny_untied, PROMPTS[2], 12)
    monkeypatch.setattr(tiny_untied.model.generation_config, "eos_token_id", ids[4])
    requests = [GenerationRequest(p, GenerationConfig(max_new_tokens=12)) for p in PROMPTS]
    continuous = HFBackend(tiny_untied, generation_rows=3).generate(requests)
    static = HFBackend(tiny_untied, batch_size=3, continuous_batching=False).generate(requests)
    assert continuous == static
    assert continuous[2].n_tokens == ids.index(ids[4])


def test_requests_of_different_configs_share_one_batch(tiny_untied: LoadedModel) -> None:
    configs = [GenerationConfig(max_new_tokens=n, stop=("zz",) * (n % 2)) for n in LIMITS]
    requests = [GenerationRequest(p, c) for p, c in zip(PROMPTS, configs, strict=True)]
    together = HFBackend(tiny_untied, generation_rows=4).generate(requests)
    assert together == [HFBackend(tiny_untied).generate([r])[0] for r in requests]


def test_a_sample_depends_on_its_seed_not_on_the_batch(tiny_untied: LoadedModel) -> None:
    config = GenerationConfig(max_new_tokens=10, do_sample=True, top_k=40, top_p=0.9, seed=3)
    requests = [GenerationRequest(p, config) for p in PROMPTS] * 2
    one_row = HFBackend(tiny_untied, generation_rows=1).generate(requests)
    torch.manual_seed(99)  # the caller's RNG state must not matter
    many_rows = HFBackend(tiny_untied, generation_rows=4).generate(requests)
    assert one_row == many_rows
    assert one_row[0] != one_row[len(PROMPTS)]  # equal requests are distinct samples


def test_running_out_of_memory_halves_the_rows_and_keeps_the_outputs(
    tiny_untied: LoadedModel, monkeypatch: pytest.MonkeyPatch
) -> None:
    requests = [
        GenerationRequest(p, GenerationConfig(max_new_tokens=n))
        for p, n in zip(PROMPTS, LIMITS, strict=True)
    ]
    expected = HFBackend(tiny_untied, generation_rows=4).generate(requests)
    original = hf_module.generate_continuously
    caps: list[int | None] = []

    def spy(*args: Any, **kwargs: Any) -> Iterator[Any]:
        caps.append(kwargs["max_rows"])
        if len(caps) > 1:
            yield from original(*args, **kwargs)
            return
        yield next(original(*args, **kwargs))  # one row done, kept; the rest must start again
        raise RuntimeError("DefaultCPUAllocator: can't allocate memory")

    monkeypatch.setattr(hf_module, "generate_continuously", spy)
    backend = HFBackend(tiny_untied, generation_rows=4)
    assert backend.generate(requests) == expected
    assert caps == [4, 2]


def test_tail_stop_check_finds_the_step_a_whole_decode_finds(tiny: LoadedModel) -> None:
    tokenizer = tiny.tokenizer
    rng = random.Random(0)
    text = "Q: café naïve 日本語 😀 a\n\nb Q Answer: (A)\n" * 3
    pieces = tokenizer.encode(text)
    vocab = tokenizer.vocab_size
    hits = 0
    for trial in range(200):
        if trial % 2:
            tokens = [rng.randrange(vocab) for _ in range(30)]
        else:
            start = rng.randrange(len(pieces) - 30)
            tokens = pieces[start : start + 30]
        stops = (rng.choice(["\n\n", "Q", "語 😀", "é n", "</s>", ": ("]),)
        check = TailStopCheck(tokenizer, stops)
        # A row stops at the first step a stop string shows, so that step is what must agree.
        expected = next(
            (
                n
                for n in range(1, len(tokens) + 1)
                if any(s in tokenizer.decode(tokens[:n], skip_special_tokens=True) for s in stops)
            ),
            None,
        )
        found = next((n for n in range(1, len(tokens) + 1) if check.found(tokens[:n])), None)
        assert found == expected, (tokens, stops)
        hits += expected is not None
    assert hits > 50  # the stops really occur


def test_a_sampled_request_draws_the_same_sample_whatever_else_is_in_the_call(
    tiny_untied: LoadedModel,
) -> None:
    """Per-request seeds come from the request itself, so a shard of a Ray run samples each of
    its requests as the whole run would, in any order."""
    config = GenerationConfig(max_new_tokens=10, do_sample=True, top_k=40, top_p=0.9, seed=3)
    requests = [GenerationRequest(p, config) for p in PROMPTS]
    whole = HFBackend(tiny_untied, generation_rows=4).generate(requests)
    shards = [requests[::2], requests[1::2][::-1]]
    split = [HFBackend(tiny_untied, generation_rows=2).generate(shard) for shard in shards]
    assert split[0] == whole[::2] and split[1] == whole[1::2][::-1]
