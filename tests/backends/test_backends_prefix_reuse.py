"""A prefix shared by many requests runs once: the numbers equal those of every row run whole."""

import pytest
from backend_reference import continuation_logprob

import harness.backends.hf as hf
import harness.backends.prefix_cache as prefix_cache_module
from harness.backends import (
    GenerationConfig,
    GenerationRequest,
    HFBackend,
    LoglikelihoodRequest,
    LoglikelihoodResult,
)
from harness.backends.encoding import encode_pair
from harness.models import LoadedModel

FEW_SHOT = (
    "The following are multiple choice questions (with answers) about geography.\n\n"
    "What is the capital of France?\nA. Paris\nB. Rome\nC. Oslo\nD. Bern\nAnswer: A\n\n"
    "Which river flows through Cairo?\nA. Danube\nB. Nile\nC. Amazon\nD. Volga\nAnswer: B\n\n"
)
QUESTIONS = [
    "Which ocean is the largest?\nA. Indian\nB. Arctic\nC. Pacific\nD. Atlantic\nAnswer:",
    "What is the longest mountain range on land, stretching along the western coast of "
    "South America?\nA. Alps\nB. Andes\nC. Rockies\nD. Urals\nAnswer:",
    "Where is Lagos?\nA. Nigeria\nB. Peru\nC. Chile\nD. Laos\nAnswer:",
    "Which desert covers much of North Africa?\nA. Gobi\nB. Sahara\nC. Atacama\nD. Thar\nAnswer:",
    "Mount Kilimanjaro lies in\nA. Kenya\nB. Tanzania\nC. Uganda\nD. Ethiopia\nAnswer:",
]
LETTERS = [LoglikelihoodRequest(FEW_SHOT + q, f" {letter}") for q in QUESTIONS for letter in "ABCD"]
MULTI_TOKEN = [
    LoglikelihoodRequest(FEW_SHOT + QUESTIONS[0], " C, the Pacific Ocean"),
    LoglikelihoodRequest(FEW_SHOT + QUESTIONS[2], " A"),
    LoglikelihoodRequest(FEW_SHOT, "Which sea is the saltiest?"),  # scored inside the block
    LoglikelihoodRequest("Hi", " there"),  # shares nothing
    LoglikelihoodRequest(FEW_SHOT + QUESTIONS[3], " Sahara, a desert"),
]


def assert_same(got: list[LoglikelihoodResult], expected: list[LoglikelihoodResult]) -> None:
    assert [r.logprob for r in got] == pytest.approx([r.logprob for r in expected], abs=1e-5)
    assert [(r.is_greedy, r.n_tokens) for r in got] == [(r.is_greedy, r.n_tokens) for r in expected]


def count_prefix_runs(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The length of every prefix the backend computes, as it computes it."""
    lengths: list[int] = []
    original = prefix_cache_module.compute_prefix

    def counting(model: object, tokens: list[int]) -> object:
        lengths.append(len(tokens))
        return original(model, tokens)

    monkeypatch.setattr(hf, "compute_prefix", counting)
    return lengths


@pytest.mark.parametrize("batch_size", [1, 3, 64])
@pytest.mark.parametrize("model", ["tiny", "tiny_untied"])
def test_scores_with_prefix_reuse_equal_scores_without(
    request: pytest.FixtureRequest,
    monkeypatch: pytest.MonkeyPatch,
    model: str,
    batch_size: int,
) -> None:
    loaded: LoadedModel = request.getfixturevalue(model)
    prefix_runs = count_prefix_runs(monkeypatch)
    requests = LETTERS + MULTI_TOKEN
    reused = HFBackend(loaded, batch_size=batch_size).loglikelihood(requests)
    assert len(prefix_runs) == 1  # one block, run once for every request after it
    whole = HFBackend(loaded, batch_size=batch_size, prefix_reuse=False).loglikelihood(requests)
    assert len(prefix_runs) == 1
    assert_same(reused, whole)


def test_rows_of_equal_length_need_no_padding(tiny: LoadedModel) -> None:
    same_length = [LoglikelihoodRequest(FEW_SHOT + QUESTIONS[2], f" {c}") for c in "ABCD"] + [
        LoglikelihoodRequest(FEW_SHOT + QUESTIONS[2].replace("Lagos", "Accra"), f" {c}")
        for c in "ABCD"
    ]
    encode = tiny.tokenizer.encode
    assert len(encode(same_length[0].context)) == len(encode(same_length[4].context))
    reused = HFBackend(tiny, batch_size=8).loglikelihood(same_length)
    whole = HFBackend(tiny, batch_size=8, prefix_reuse=False).loglikelihood(same_length)
    assert_same(reused, whole)


def test_reuse_equals_a_plain_forward_per_request(tiny_untied: LoadedModel) -> None:
    results = HFBackend(tiny_untied, batch_size=4).loglikelihood(MULTI_TOKEN)
    for request, result in zip(MULTI_TOKEN, results, strict=True):
        context, continuation = encode_pair(
            tiny_untied.tokenizer, request.context, request.continuation
        )
        expected = continuation_logprob(tiny_untied, context, continuation)
        assert result.logprob == pytest.approx(expected, abs=1e-5)


def test_the_prefix_is_counted_once_in_tokens_processed(tiny: LoadedModel) -> None:
    backend = HFBackend(tiny, batch_size=2)
    progress: list[tuple[int, int]] = []
    backend.loglikelihood(LETTERS, progress=lambda items, tokens: progress.append((items, tokens)))
    rows = [tiny.tokenizer.encode(FEW_SHOT + q) for q in QUESTIONS]  # one per question
    shared = min(
        next(i for i, (a, b) in enumerate(zip(rows[0], row, strict=False)) if a != b)
        for row in rows[1:]
    )
    assert shared >= len(tiny.tokenizer.encode(FEW_SHOT)) - 1
    expected = shared + sum(len(row) - shared for row in rows)
    assert backend.tokens_processed == expected
    assert sum(tokens for _, tokens in progress) == expected
    assert sum(items for items, _ in progress) == len(LETTERS)


def test_the_model_s_own_forward_route_reuses_prefixes_too(tiny_untied: LoadedModel) -> None:
    via_model = HFBackend(tiny_untied, batch_size=4)
    via_model._via_decoder = False
    whole = HFBackend(tiny_untied, batch_size=4, prefix_reuse=False)
    assert_same(
        via_model.loglikelihood(LETTERS + MULTI_TOKEN), whole.loglikelihood(LETTERS + MULTI_TOKEN)
    )


def test_a_model_whose_cache_cannot_be_lent_runs_rows_whole(
    tiny: LoadedModel, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(hf, "compute_prefix", lambda model, tokens: None)
    backend = HFBackend(tiny, batch_size=4)
    got = backend.loglikelihood(LETTERS)
    assert backend.prefix_reuse is False
    assert_same(got, HFBackend(tiny, batch_size=4, prefix_reuse=False).loglikelihood(LETTERS))


GENERATION_PROMPTS = [FEW_SHOT + q for q in QUESTIONS] + [FEW_SHOT + "Name a lake.\nAnswer:"]


@pytest.mark.parametrize("batch_size", [1, 4, 8])
def test_generation_with_a_shared_prefix_equals_generation_without(
    tiny_untied: LoadedModel, monkeypatch: pytest.MonkeyPatch, batch_size: int
) -> None:
    prefix_runs = count_prefix_runs(monkeypatch)
    config = GenerationConfig(max_new_tokens=8)
    requests = [GenerationRequest(prompt, config) for prompt in GENERATION_PROMPTS]
    reused = HFBackend(tiny_untied, batch_size=batch_size).generate(requests)
    assert len(prefix_runs) == 1
    whole = HFBackend(tiny_untied, batch_size=batch_size, prefix_reuse=False).generate(requests)
    assert reused == whole
    assert all(result.n_tokens == 8 for result in reused)


@pytest.mark.parametrize(("continuous", "prefix_runs_expected"), [(False, 0), (True, 1)])
def test_a_prefix_shared_by_fewer_prompts_than_a_batch_is_run_once_only_when_continuous(
    tiny_untied: LoadedModel,
    monkeypatch: pytest.MonkeyPatch,
    continuous: bool,
    prefix_runs_expected: int,
) -> None:
    # Static batches each cost a whole decoding loop, so a group must fill one; continuous
    # batching pays nothing for a group and shares any prefix of two or more prompts.
    prefix_runs = count_prefix_runs(monkeypatch)
    config = GenerationConfig(max_new_tokens=4)
    requests = [GenerationRequest(p, config) for p in GENERATION_PROMPTS[:3]]
    requests.append(GenerationRequest("Something else entirely", config))
    shared = HFBackend(tiny_untied, batch_size=8, continuous_batching=continuous).generate(requests)
    assert len(prefix_runs) == prefix_runs_expected
    whole = HFBackend(tiny_untied, batch_size=8, prefix_reuse=False, continuous_batching=continuous)
    assert shared == whole.generate(requests)


def test_generation_with_a_shared_prefix_stops_on_text(tiny_untied: LoadedModel) -> None:
    greedy = GenerationConfig(max_new_tokens=10)
    backend = HFBackend(tiny_untied, batch_size=3, prefix_reuse=False)
    unstopped = backend.generate([GenerationRequest(p, greedy) for p in GENERATION_PROMPTS])
    stop = unstopped[0].text[4:7]
    config = GenerationConfig(max_new_tokens=10, stop=stop)
    requests = [GenerationRequest(p, config) for p in GENERATION_PROMPTS]
    reused = HFBackend(tiny_untied, batch_size=3).generate(requests)
    assert reused == HFBackend(tiny_untied, batch_size=3, prefix_reuse=False).generate(requests)
    assert reused[0].text == unstopped[0].text[: unstopped[0].text.index(stop)]
