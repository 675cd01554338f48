"""HFBackend.generate: greedy as model.generate, batching invisible, stop strings, seeds."""

import torch

from harness.backends import GenerationConfig, GenerationRequest, HFBackend
from harness.backends.stop_sequences import cut_at_stop
from harness.models import LoadedModel

PROMPTS = [
    "Once upon a time",
    "Hi",
    "The weather today is sunny, and the forecast for tomorrow says",
    "A list of fruits: apples, pears,",
]
GREEDY = GenerationConfig(max_new_tokens=12)


def hf_greedy_ids(loaded: LoadedModel, prompt: str, max_new_tokens: int) -> list[int]:
    ids = torch.tensor([loaded.tokenizer.encode(prompt)])
    with torch.inference_mode():
        output = loaded.model.generate(ids, max_new_tokens=max_new_tokens, do_sample=False)
    return output[0, ids.shape[1] :].tolist()


def test_greedy_equals_model_generate(tiny_untied: LoadedModel) -> None:
    (result,) = HFBackend(tiny_untied).generate([GenerationRequest(PROMPTS[0], GREEDY)])
    expected_ids = hf_greedy_ids(tiny_untied, PROMPTS[0], 12)
    assert result.text == tiny_untied.tokenizer.decode(expected_ids, skip_special_tokens=True)
    assert result.n_tokens == 12


def test_a_left_padded_batch_equals_prompts_one_by_one(tiny_untied: LoadedModel) -> None:
    requests = [GenerationRequest(prompt, GREEDY) for prompt in PROMPTS]
    together = HFBackend(tiny_untied, batch_size=4).generate(requests)
    alone = [HFBackend(tiny_untied, batch_size=1).generate([request])[0] for request in requests]
    assert together == alone
    assert len({result.text for result in together}) == len(PROMPTS)


def test_stop_string_ends_the_row_and_is_cut_from_the_text(tiny_untied: LoadedModel) -> None:
    ids = hf_greedy_ids(tiny_untied, PROMPTS[0], 12)
    full_text = tiny_untied.tokenizer.decode(ids)
    stop = full_text[20:24]  # mid-text, usually inside a token
    expected_tokens = next(n for n in range(1, 13) if stop in tiny_untied.tokenizer.decode(ids[:n]))
    config = GenerationConfig(max_new_tokens=12, stop=("never appears", stop))
    (result,) = HFBackend(tiny_untied).generate([GenerationRequest(PROMPTS[0], config)])
    assert result.text == full_text[: full_text.index(stop)]
    assert result.n_tokens == expected_tokens < 12


def test_each_row_stops_on_its_own(tiny_untied: LoadedModel) -> None:
    first = HFBackend(tiny_untied).generate([GenerationRequest(PROMPTS[0], GREEDY)])[0].text
    stop = first[10:13]
    config = GenerationConfig(max_new_tokens=12, stop=stop)
    results = HFBackend(tiny_untied).generate([GenerationRequest(p, config) for p in PROMPTS])
    alone = [HFBackend(tiny_untied).generate([GenerationRequest(p, GREEDY)])[0] for p in PROMPTS]
    assert results[0].text == first[: first.index(stop)]
    for result, unstopped in zip(results, alone, strict=True):
        assert result.text == cut_at_stop(unstopped.text, (stop,))


def test_cut_at_stop_cuts_at_the_earliest_stop_string() -> None:
    assert cut_at_stop("a\n\nb. c", ("\n\n", ".")) == "a"
    assert cut_at_stop("abc", ("x", "")) == "abc"


def test_sampling_with_the_same_seed_repeats(tiny_untied: LoadedModel) -> None:
    def sample(seed: int) -> list[str]:
        config = GenerationConfig(
            max_new_tokens=10, do_sample=True, temperature=0.9, top_k=40, top_p=0.95, seed=seed
        )
        results = HFBackend(tiny_untied, batch_size=2).generate(
            [GenerationRequest(p, config) for p in PROMPTS]
        )
        return [result.text for result in results]

    torch.manual_seed(0)
    first = sample(seed=7)
    torch.manual_seed(1)  # the caller's RNG state must not matter
    assert sample(seed=7) == first
    assert sample(seed=8) != first


def test_sampling_leaves_the_global_rng_alone(tiny_untied: LoadedModel) -> None:
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    config = GenerationConfig(max_new_tokens=4, do_sample=True, seed=5)
    HFBackend(tiny_untied).generate([GenerationRequest(PROMPTS[1], config)])
    assert torch.equal(torch.rand(3), expected)


def test_requests_with_different_configs_come_back_in_order(tiny_untied: LoadedModel) -> None:
    short = GenerationConfig(max_new_tokens=3)
    requests = [
        GenerationRequest(PROMPTS[0], GREEDY),
        GenerationRequest(PROMPTS[1], short),
        GenerationRequest(PROMPTS[2], GREEDY),
        GenerationRequest(PROMPTS[3], short),
    ]
    results = HFBackend(tiny_untied).generate(requests)
    assert [result.n_tokens for result in results] == [12, 3, 12, 3]
    alone = [HFBackend(tiny_untied).generate([request])[0] for request in requests]
    assert results == alone


def test_tokens_processed_counts_prompts_and_generated_tokens(tiny_untied: LoadedModel) -> None:
    backend = HFBackend(tiny_untied, batch_size=2)
    progress: list[tuple[int, int]] = []
    results = backend.generate(
        [GenerationRequest(p, GREEDY) for p in PROMPTS],
        progress=lambda items, tokens: progress.append((items, tokens)),
    )
    prompt_tokens = sum(len(tiny_untied.tokenizer.encode(p)) for p in PROMPTS)
    expected = prompt_tokens + sum(result.n_tokens for result in results)
    assert backend.tokens_processed == expected
    assert [items for items, _ in progress] == [1, 1, 1, 1]  # each request as it finishes
    assert sum(tokens for _, tokens in progress) == expected
