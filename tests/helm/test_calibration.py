"""Calibration: equal-mass bins, ECE and selective accuracy against hand computations."""

from __future__ import annotations

import math

import pytest

from harness.metrics import ItemOutcome, get_metric
from harness.metrics.calibration import (
    choice_probabilities,
    confidence_and_correct,
    coverage_accuracy_area,
    equal_mass_bins,
    expected_calibration_error,
    selective_accuracy,
)

# Twelve items, most confident first; with 10 equal-mass bins the two least confident
# pairs share a bin each (numpy.array_split: the first 12 % 10 bins hold one more).
CONFIDENCE = [0.95, 0.9, 0.85, 0.8, 0.75, 0.7, 0.65, 0.6, 0.55, 0.5, 0.45, 0.4]
CORRECT = [1, 1, 0, 1, 0, 1, 0, 0, 1, 0, 0, 1]
# Bins (ascending confidence): {0.4: 1, 0.45: 0} {0.5: 0, 0.55: 1} then one item each.
#   pairs:   2/12 * |0.5 - 0.425| + 2/12 * |0.5 - 0.525| = 0.2 / 12
#   singles: (0.6 + 0.65 + 0.3 + 0.75 + 0.2 + 0.85 + 0.1 + 0.05) / 12 = 3.5 / 12
HAND_ECE = 3.7 / 12


def test_equal_mass_bins_split_the_sorted_items_into_near_equal_counts() -> None:
    bins = equal_mass_bins(CONFIDENCE)
    assert [b.tolist() for b in bins] == [[11, 10], [9, 8], [7], [6], [5], [4], [3], [2], [1], [0]]
    sizes = [len(b) for b in equal_mass_bins([i / 25 for i in range(25)])]
    assert sizes == [3, 3, 3, 3, 3, 2, 2, 2, 2, 2]


def test_equal_mass_bins_with_fewer_items_than_bins_put_each_item_alone() -> None:
    assert [b.tolist() for b in equal_mass_bins([0.3, 0.1, 0.2])] == [[1], [2], [0]]


def test_ties_keep_item_order_in_the_bins() -> None:
    assert [b.tolist() for b in equal_mass_bins([0.5, 0.5, 0.5, 0.5], 2)] == [[0, 1], [2, 3]]


def test_ece_matches_the_hand_computation() -> None:
    assert expected_calibration_error(CONFIDENCE, CORRECT) == pytest.approx(HAND_ECE, abs=1e-12)
    # Two bins of two: |0.5 - 0.65| and |0.5 - 0.85|, each weighted 1/2.
    assert expected_calibration_error([0.9, 0.6, 0.8, 0.7], [1, 0, 0, 1], 2) == pytest.approx(
        0.25, abs=1e-12
    )


def test_a_perfectly_calibrated_set_has_zero_ece() -> None:
    assert expected_calibration_error([0.5] * 10, [1, 0] * 5, 1) == 0.0
    assert expected_calibration_error([1.0] * 3, [1, 1, 1]) == 0.0


def test_selective_accuracy_takes_the_most_confident_tenth_rounded_up() -> None:
    assert selective_accuracy(CONFIDENCE, CORRECT) == 1.0  # top ceil(1.2) = 2: both right
    assert selective_accuracy([0.9, 0.8, 0.7], [0, 1, 1]) == 0.0  # at least one item
    assert selective_accuracy(CONFIDENCE, CORRECT, coverage=0.25) == pytest.approx(2 / 3)


def test_coverage_accuracy_area_is_the_mean_accuracy_over_coverages() -> None:
    running = [1, 1, 2 / 3, 3 / 4, 3 / 5, 4 / 6, 4 / 7, 4 / 8, 5 / 9, 5 / 10, 5 / 11, 6 / 12]
    assert coverage_accuracy_area(CONFIDENCE, CORRECT) == pytest.approx(sum(running) / 12)


def test_confidence_is_the_softmax_probability_of_the_highest_loglikelihood_choice() -> None:
    probabilities = choice_probabilities([math.log(0.2), math.log(0.5), math.log(0.3)])
    assert probabilities.tolist() == pytest.approx([0.2, 0.5, 0.3])
    outcome = ItemOutcome(choice_logprobs=(-3.0, -1.0, -2.0), gold=1)
    expected = math.exp(-1.0) / (math.exp(-3.0) + math.exp(-1.0) + math.exp(-2.0))
    assert confidence_and_correct(outcome, "ece_10bin") == pytest.approx((expected, 1.0))


def _outcomes() -> list[ItemOutcome]:
    """Two-choice items whose chosen answer has exactly CONFIDENCE's probability."""
    return [
        ItemOutcome(choice_logprobs=(math.log(p), math.log(1 - p)), gold=0 if hit else 1)
        for p, hit in zip(CONFIDENCE, CORRECT, strict=True)
    ]


def test_the_registered_metrics_summarize_outcomes_as_the_functions_do() -> None:
    outcomes = _outcomes()[:-2]  # drop 0.45 and 0.4: with p < 0.5 the other choice wins
    conf, hits = CONFIDENCE[:-2], CORRECT[:-2]
    ece = get_metric("ece_10bin").summarize(outcomes, n_resamples=0)
    assert ece.value == pytest.approx(expected_calibration_error(conf, hits))
    assert ece.higher_is_better is False and ece.n == 10
    assert get_metric("selective_acc@10").summarize(outcomes, n_resamples=0).value == 1.0
    area = get_metric("selective_cov_acc_area").summarize(outcomes, n_resamples=0)
    assert area.value == pytest.approx(coverage_accuracy_area(conf, hits))


def test_the_ece_metric_has_a_seeded_bootstrap_interval() -> None:
    outcomes = _outcomes()[:-2]
    first = get_metric("ece_10bin").summarize(outcomes, seed=3, n_resamples=200)
    again = get_metric("ece_10bin").summarize(outcomes, seed=3, n_resamples=200)
    assert first.ci_low is not None and first.ci_high is not None
    assert (first.ci_low, first.ci_high) == (again.ci_low, again.ci_high)
