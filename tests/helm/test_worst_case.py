"""Robustness and fairness: the worst case per instance over the original and its copies."""

from __future__ import annotations

import pytest

from harness.errors import HarnessError
from harness.metrics import ItemOutcome, get_metric
from harness.metrics.perturbed_outcome import CopyOutcome, with_copies
from harness.tasks.perturbed import PerturbedPrompt, results_by_copy, split_results


def _mc(chosen: int, gold: int = 0) -> ItemOutcome:
    """A two-choice outcome whose highest-loglikelihood choice is ``chosen``."""
    return ItemOutcome(choice_logprobs=(-1.0, -2.0) if chosen == 0 else (-2.0, -1.0), gold=gold)


def _item(original: int, robustness: list[int], fairness: list[int]) -> ItemOutcome:
    copies = [CopyOutcome("robustness", f"r{i}", _mc(c)) for i, c in enumerate(robustness)]
    copies += [CopyOutcome("fairness", f"f{i}", _mc(c)) for i, c in enumerate(fairness)]
    return with_copies(_mc(original), copies)


# Gold is choice 0 everywhere; 0 = right, 1 = wrong.
ITEMS = [
    _item(0, [0, 0], [0]),  # right everywhere
    _item(0, [0, 1], [0]),  # a typo breaks it: robustness 0, fairness 1
    _item(1, [0, 0], [0]),  # wrong originally: 0 for both (the original counts too)
    _item(0, [0, 0], [1]),  # a name swap breaks it: robustness 1, fairness 0
]


def test_worst_case_per_instance_then_mean_over_instances() -> None:
    acc = get_metric("acc").summarize(ITEMS, n_resamples=0)
    robust = get_metric("acc_robustness").summarize(ITEMS, n_resamples=0)
    fair = get_metric("acc_fairness").summarize(ITEMS, n_resamples=0)
    assert acc.value == 0.75
    assert [get_metric("acc_robustness").item_value(o) for o in ITEMS] == [1.0, 0.0, 0.0, 1.0]
    assert robust.value == 0.5
    assert fair.value == 0.5
    # The worst case per instance (0.5) is below every single perturbation's mean.
    assert robust.extra["mean_r0"] == "1.000000" and robust.extra["mean_r1"] == "0.750000"


def test_lower_is_better_metrics_take_the_maximum() -> None:
    from harness.metrics.worst_case import worst_case

    assert worst_case([0.2, 0.7, 0.4], higher_is_better=True) == 0.2
    assert worst_case([0.2, 0.7, 0.4], higher_is_better=False) == 0.7


def test_generation_metrics_take_the_worst_copy() -> None:
    def gen(text: str) -> ItemOutcome:
        return ItemOutcome(prediction=text, references=("the cat sat",))

    outcome = with_copies(
        gen("the cat sat"),
        [
            CopyOutcome("robustness", "typos", gen("the dog sat")),
            CopyOutcome("fairness", "dialect", gen("the cat sat")),
        ],
    )
    rouge1 = get_metric("rouge1")
    assert get_metric("rouge1_robustness").item_value(outcome) == pytest.approx(
        rouge1.item_value(gen("the dog sat"))
    )
    assert get_metric("rouge1_fairness").item_value(outcome) == pytest.approx(1.0)


def test_an_item_without_copies_of_the_family_is_an_error_that_names_the_fix() -> None:
    with pytest.raises(HarnessError, match=r"perturbations\.fairness"):
        get_metric("acc_fairness").item_value(_item(0, [0], []))
    with pytest.raises(HarnessError, match="needs robustness copies"):
        get_metric("acc_robustness").item_value(_mc(0))


def test_results_split_into_the_original_and_each_copy() -> None:
    assert split_results(2, list(range(6))) == [[0, 1], [2, 3], [4, 5]]
    with pytest.raises(HarnessError, match="equal parts"):
        split_results(2, list(range(5)))


def test_a_copy_without_change_gets_the_originals_results() -> None:
    def copy(changed: bool) -> PerturbedPrompt:
        return PerturbedPrompt("fairness", "dialect", 1, (), "p", changed=changed)

    parts = results_by_copy([copy(True), copy(False), copy(True)], list(range(6)))
    assert parts == [[0, 1], [2, 3], [0, 1], [4, 5]]
