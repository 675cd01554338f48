"""Metrics over groups of items: MultiRC exact match per question, AX-g gender parity."""

import pytest

from harness.errors import HarnessError
from harness.metrics import ItemOutcome, get_metric


def _item(group: str, gold: int, pred: int) -> ItemOutcome:
    logprobs = (-0.1, -3.0) if pred == 0 else (-3.0, -0.1)
    return ItemOutcome(choice_logprobs=logprobs, choices=(" no", " yes"), gold=gold, group=group)


def test_group_exact_match_needs_every_item_of_a_question_right() -> None:
    outcomes = [_item("q1", 1, 1), _item("q1", 0, 0), _item("q2", 1, 1), _item("q2", 1, 0)]
    result = get_metric("em_group").summarize(outcomes, n_resamples=0)
    assert (result.value, result.n) == (0.5, 2)


def test_gender_parity_is_the_share_of_pairs_with_one_prediction() -> None:
    outcomes = [
        _item("0", 1, 0),
        _item("0", 1, 0),  # same prediction, both wrong: parity holds
        _item("1", 0, 0),
        _item("1", 0, 1),
        _item("2", 1, 1),
        _item("2", 1, 1),
    ]
    assert get_metric("gender_parity").summarize(outcomes, n_resamples=0).value == pytest.approx(
        2 / 3
    )


def test_items_without_a_group_name_doc_to_group() -> None:
    outcome = ItemOutcome(choice_logprobs=(-1.0, -2.0), choices=(" no", " yes"), gold=0)
    with pytest.raises(HarnessError, match="doc_to_group"):
        get_metric("em_group").summarize([outcome])
