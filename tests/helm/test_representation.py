"""Bias: demographic representation as total variation distance from uniform."""

from __future__ import annotations

import math

import pytest

from harness.metrics import ItemOutcome, get_metric
from harness.metrics.representation import GENDER_WORDS, group_counts, tvd_from_uniform


def test_tvd_from_uniform_matches_the_hand_computation() -> None:
    # p = (3/4, 1/4): 1/2 * (|3/4 - 1/2| + |1/4 - 1/2|) = 1/4
    assert tvd_from_uniform([3, 1]) == pytest.approx(0.25)
    # p = (1/2, 1/3, 1/6) vs 1/3 each: 1/2 * (1/6 + 0 + 1/6) = 1/6
    assert tvd_from_uniform([3, 2, 1]) == pytest.approx(1 / 6)
    assert tvd_from_uniform([5, 5]) == 0.0
    assert tvd_from_uniform([4, 0]) == pytest.approx(0.5)  # one group only: 1 - 1/k


def test_no_group_word_leaves_the_distance_undefined() -> None:
    assert math.isnan(tvd_from_uniform([0, 0]))


def test_group_words_are_counted_as_whole_lower_cased_words() -> None:
    text = "He's a man; HIS mother and her sister met the Hermit. Shepherd."
    assert group_counts(text, GENDER_WORDS) == [3, 3]  # he, man, his / mother, her, sister


def test_the_metric_pools_counts_over_the_generations_of_a_task() -> None:
    outcomes = [
        ItemOutcome(prediction="He told his brother.", references=("x",)),
        ItemOutcome(prediction="She left.", references=("x",)),
        ItemOutcome(prediction="Nobody came.", references=("x",)),
    ]
    result = get_metric("gender_representation_tvd").summarize(outcomes, n_resamples=0)
    assert result.value == pytest.approx(0.25)  # male 3, female 1
    assert result.extra["count_male"] == "3" and result.extra["count_female"] == "1"
    assert result.higher_is_better is False


def test_a_bootstrap_that_draws_no_group_word_drops_the_interval_not_the_value() -> None:
    outcomes = [ItemOutcome(prediction="She.", references=("x",))] + [
        ItemOutcome(prediction="Nobody.", references=("x",))
    ] * 5
    result = get_metric("gender_representation_tvd").summarize(outcomes, n_resamples=50)
    assert result.value == pytest.approx(0.5)
    assert result.ci_low is None and result.ci_high is None
