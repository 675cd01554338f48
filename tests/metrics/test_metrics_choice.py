"""acc, acc_norm and acc_bytes on hand-built multiple-choice items."""

import pytest

from harness.errors import HarnessError
from harness.metrics import ItemOutcome, get_metric


def item(logprobs: tuple[float, ...], choices: tuple[str, ...], gold: int) -> ItemOutcome:
    return ItemOutcome(choice_logprobs=logprobs, choices=choices, gold=gold)


# " A" has 2 characters, " longer answer" 14: normalised -2/2 = -1.0 < -3/14 ≈ -0.214.
SHORT_WINS_RAW = item((-2.0, -3.0), (" A", " longer answer"), gold=1)


def test_acc_picks_the_highest_raw_loglikelihood() -> None:
    assert get_metric("acc").item_value(SHORT_WINS_RAW) == 0.0
    assert get_metric("acc").item_value(item((-2.0, -3.0), (" A", " B"), gold=0)) == 1.0


def test_acc_norm_divides_by_character_length_and_can_differ_from_acc() -> None:
    assert get_metric("acc_norm").item_value(SHORT_WINS_RAW) == 1.0


def test_acc_bytes_equals_acc_norm_for_ascii_choices() -> None:
    assert get_metric("acc_bytes").item_value(SHORT_WINS_RAW) == 1.0


def test_acc_norm_counts_characters_and_acc_bytes_counts_utf8_bytes() -> None:
    # " é" is 2 characters but 3 bytes; " ab" is 3 of each.
    # per character: -2.4/2 = -1.2 < -3.3/3 = -1.1, so acc_norm picks choice 1;
    # per byte:      -2.4/3 = -0.8 > -3.3/3 = -1.1, so acc_bytes picks choice 0.
    outcome = item((-2.4, -3.3), (" é", " ab"), gold=0)
    assert get_metric("acc_norm").item_value(outcome) == 0.0
    assert get_metric("acc_bytes").item_value(outcome) == 1.0


@pytest.mark.parametrize(("gold", "expected"), [(0, 1.0), (1, 0.0)])
def test_ties_go_to_the_first_choice(gold: int, expected: float) -> None:
    assert get_metric("acc").item_value(item((-1.0, -1.0), (" x", " y"), gold)) == expected


def test_acc_summary_is_the_mean_with_stderr_and_ci() -> None:
    outcomes = [item((-1.0, -2.0), (" a", " b"), gold=g) for g in (0, 0, 0, 1)]
    result = get_metric("acc").summarize(outcomes)
    assert result.value == 0.75
    assert result.stderr == pytest.approx(0.25)  # sample std 0.5 over sqrt(4)
    assert result.n == 4
    assert result.higher_is_better is True
    assert result.ci_low is not None and result.ci_high is not None
    assert 0.0 <= result.ci_low <= 0.75 <= result.ci_high <= 1.0
    assert result.extra["ci_method"] == "bootstrap"


def test_a_single_item_has_no_stderr_or_ci() -> None:
    result = get_metric("acc").summarize([SHORT_WINS_RAW])
    assert (result.value, result.stderr, result.ci_low, result.ci_high) == (0.0, None, None, None)


def test_zero_resamples_turns_the_ci_off() -> None:
    outcomes = [SHORT_WINS_RAW, SHORT_WINS_RAW]
    result = get_metric("acc").summarize(outcomes, n_resamples=0)
    assert (result.ci_low, result.ci_high) == (None, None)


def test_missing_logprobs_name_the_field_and_the_output_type() -> None:
    with pytest.raises(HarnessError, match=r"choice_logprobs.*multiple_choice"):
        get_metric("acc").item_value(ItemOutcome(prediction="A", references=("A",)))


def test_gold_outside_the_choices_is_an_error() -> None:
    with pytest.raises(HarnessError, match="gold index 2"):
        get_metric("acc").item_value(item((-1.0, -2.0), (" a", " b"), gold=2))


def test_acc_norm_needs_one_choice_string_per_logprob() -> None:
    with pytest.raises(HarnessError, match="1 choices but 2 loglikelihoods"):
        get_metric("acc_norm").item_value(item((-1.0, -2.0), (" a",), gold=0))


def test_summarizing_no_items_is_an_error() -> None:
    with pytest.raises(HarnessError, match="no items"):
        get_metric("acc").summarize([])
