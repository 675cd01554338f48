"""HFBackend.loglikelihood against one plain forward per request, on tiny random models."""

import pytest
import torch
from backend_reference import continuation_logprob, full_forward_logprobs, split_like_lm_eval

from harness.backends import HFBackend, LoglikelihoodRequest
from harness.models import LoadedModel

CONTEXT = "The capital of France is"
MIXED = [
    LoglikelihoodRequest("Q: What is two plus two?\nA:", " four"),
    LoglikelihoodRequest("Hi", " there, how are you doing today?"),
    LoglikelihoodRequest(CONTEXT, " Paris"),
    LoglikelihoodRequest(
        "A much longer context, with several clauses, commas and words in it,", " ok"
    ),
    LoglikelihoodRequest(CONTEXT, " a city in Europe"),
    LoglikelihoodRequest("x", " y"),
    LoglikelihoodRequest(CONTEXT, " Paris"),
    LoglikelihoodRequest("Numbers: 1 2 3 4 5 6 7 8 9 10 11 12", " 13 14"),
]


def test_logprob_equals_a_full_forward_with_full_log_softmax(tiny: LoadedModel) -> None:
    (result,) = HFBackend(tiny).loglikelihood([LoglikelihoodRequest(CONTEXT, " Paris is nice")])
    context, continuation = split_like_lm_eval(tiny, CONTEXT, " Paris is nice")
    assert result.logprob == pytest.approx(
        continuation_logprob(tiny, context, continuation), abs=1e-5
    )
    assert result.n_tokens == len(continuation) == 3


def test_untied_lm_head_equals_a_full_forward(tiny_untied: LoadedModel) -> None:
    assert not tiny_untied.model.config.tie_word_embeddings
    (result,) = HFBackend(tiny_untied).loglikelihood([LoglikelihoodRequest(CONTEXT, " Paris")])
    context, continuation = split_like_lm_eval(tiny_untied, CONTEXT, " Paris")
    assert result.logprob == pytest.approx(
        continuation_logprob(tiny_untied, context, continuation), abs=1e-5
    )


def test_every_request_of_a_mixed_batch_equals_its_own_full_forward(tiny: LoadedModel) -> None:
    results = HFBackend(tiny, batch_size=8).loglikelihood(MIXED)
    for request, result in zip(MIXED, results, strict=True):
        context, continuation = split_like_lm_eval(tiny, request.context, request.continuation)
        assert result.logprob == pytest.approx(
            continuation_logprob(tiny, context, continuation), abs=1e-5
        )
        assert result.n_tokens == len(continuation)


@pytest.mark.parametrize("batch_size", [8, 64])
def test_batch_size_does_not_change_results(tiny: LoadedModel, batch_size: int) -> None:
    one_by_one = HFBackend(tiny, batch_size=1).loglikelihood(MIXED)
    batched = HFBackend(tiny, batch_size=batch_size).loglikelihood(MIXED)
    for alone, together in zip(one_by_one, batched, strict=True):
        assert together.logprob == pytest.approx(alone.logprob, abs=1e-5)
        assert (together.is_greedy, together.n_tokens) == (alone.is_greedy, alone.n_tokens)


def test_results_come_back_in_request_order(tiny: LoadedModel) -> None:
    backend = HFBackend(tiny, batch_size=3)
    separately = [backend.loglikelihood([request])[0] for request in MIXED]
    together = backend.loglikelihood(MIXED)
    assert [r.logprob for r in together] == pytest.approx([r.logprob for r in separately], abs=1e-5)
    assert [r.n_tokens for r in together] == [r.n_tokens for r in separately]


def test_choices_after_one_context_are_scored_from_one_row(tiny: LoadedModel) -> None:
    choices = [
        LoglikelihoodRequest("Question: pick one.\nAnswer:", f" {letter}") for letter in "ABCD"
    ]
    backend = HFBackend(tiny, batch_size=8)
    progress: list[tuple[int, int]] = []
    grouped = backend.loglikelihood(
        choices, progress=lambda items, tokens: progress.append((items, tokens))
    )
    context_ids = tiny.tokenizer.encode("Question: pick one.\nAnswer:")
    # One forward row of the context alone; each " X" is scored from its last position.
    assert backend.tokens_processed == len(context_ids)
    assert progress == [(4, len(context_ids))]
    ungrouped = [HFBackend(tiny).loglikelihood([choice])[0] for choice in choices]
    assert [r.logprob for r in grouped] == pytest.approx([r.logprob for r in ungrouped], abs=1e-5)
    logprobs = full_forward_logprobs(tiny, context_ids)[-1]
    letter_ids = [tiny.tokenizer.encode(f" {letter}")[0] for letter in "ABCD"]
    assert [r.logprob for r in grouped] == pytest.approx(
        [float(logprobs[i]) for i in letter_ids], abs=1e-5
    )


def test_empty_context_is_conditioned_on_the_prefix_token(tiny: LoadedModel) -> None:
    (result,) = HFBackend(tiny).loglikelihood([LoglikelihoodRequest("", "Hello world")])
    bos = tiny.tokenizer.bos_token_id
    continuation = tiny.tokenizer.encode("Hello world", add_special_tokens=False)
    assert result.logprob == pytest.approx(
        continuation_logprob(tiny, [bos], continuation), abs=1e-5
    )
    assert result.n_tokens == len(continuation) == 2


def test_trailing_space_of_the_context_moves_to_the_continuation(tiny: LoadedModel) -> None:
    backend = HFBackend(tiny)
    spaced, unspaced = backend.loglikelihood(
        [LoglikelihoodRequest("Answer: ", "A"), LoglikelihoodRequest("Answer:", " A")]
    )
    assert spaced == unspaced
    assert spaced.n_tokens == 1


def test_is_greedy_only_when_every_continuation_token_is_the_argmax(tiny: LoadedModel) -> None:
    context = tiny.tokenizer.encode(CONTEXT)
    greedy_id = int(full_forward_logprobs(tiny, context)[-1].argmax())
    greedy_text = tiny.tokenizer.decode([greedy_id])
    assert split_like_lm_eval(tiny, CONTEXT, greedy_text)[1] == [greedy_id]  # round-trips
    other_text = " Paris" if greedy_text != " Paris" else " London"
    greedy, other = HFBackend(tiny).loglikelihood(
        [LoglikelihoodRequest(CONTEXT, greedy_text), LoglikelihoodRequest(CONTEXT, other_text)]
    )
    assert greedy.is_greedy is True
    assert other.is_greedy is False


def test_long_inputs_are_truncated_from_the_left_to_max_length(tiny: LoadedModel) -> None:
    context_text = " ".join(str(n) for n in range(40))
    (result,) = HFBackend(tiny, max_length=16).loglikelihood(
        [LoglikelihoodRequest(context_text, " 40 41")]
    )
    context, continuation = split_like_lm_eval(tiny, context_text, " 40 41")
    kept = (context + continuation)[-17:]  # 16 input positions predict the last 16 tokens
    assert len(context) + len(continuation) > 17
    assert result.logprob == pytest.approx(
        continuation_logprob(tiny, kept[: -len(continuation)], continuation), abs=1e-5
    )


def test_scoring_runs_without_autograd(tiny: LoadedModel) -> None:
    seen: list[bool] = []
    hook = tiny.model.get_decoder().register_forward_hook(
        lambda module, args, output: seen.append(torch.is_inference_mode_enabled())
    )
    try:
        HFBackend(tiny).loglikelihood([LoglikelihoodRequest(CONTEXT, " Paris")])
    finally:
        hook.remove()
    assert seen and all(seen)


def test_the_lm_head_sees_only_scored_positions(tiny: LoadedModel) -> None:
    backend = HFBackend(tiny)
    backend.loglikelihood([LoglikelihoodRequest("warm", " up")])  # the one-off head check
    head_rows: list[int] = []
    hook = tiny.model.get_output_embeddings().register_forward_hook(
        lambda module, args, output: head_rows.append(args[0].shape[:-1].numel())
    )
    try:
        backend.loglikelihood(
            [LoglikelihoodRequest(CONTEXT, f" {letter}") for letter in "ABCD"]
            + [LoglikelihoodRequest("Hi", " there, how are you doing today?")]
        )
    finally:
        hook.remove()
    n_continuation = len(split_like_lm_eval(tiny, "Hi", " there, how are you doing today?")[1])
    assert head_rows == [1 + n_continuation]


def test_the_model_s_own_forward_route_gives_the_same_numbers(tiny_untied: LoadedModel) -> None:
    # The route taken for architectures that change logits after the head (soft-capping).
    via_decoder = HFBackend(tiny_untied, batch_size=4)
    via_model = HFBackend(tiny_untied, batch_size=4)
    via_model._via_decoder = False
    expected = via_decoder.loglikelihood(MIXED)
    got = via_model.loglikelihood(MIXED)
    assert via_decoder._via_decoder is True
    assert [r.logprob for r in got] == pytest.approx([r.logprob for r in expected], abs=1e-5)
    assert [r.is_greedy for r in got] == [r.is_greedy for r in expected]


def test_no_requests_give_no_results(tiny: LoadedModel) -> None:
    backend = HFBackend(tiny)
    assert backend.loglikelihood([]) == []
    assert backend.loglikelihood_rolling([]) == []
    assert backend.generate([]) == []
    assert backend.tokens_processed == 0
