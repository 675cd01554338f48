"""STS-B's Pearson and Spearman of the expected choice value, pinned to scipy."""

import math

import numpy as np
import pytest
from scipy import stats

from harness.errors import HarnessError
from harness.metrics import ItemOutcome, get_metric
from harness.metrics.correlation import expected_choice_value

CHOICES = (" 0", " 1", " 2")
LOGPROBS = [(-0.1, -2.0, -4.0), (-3.0, -0.2, -1.0), (-5.0, -2.0, -0.1), (-1.0, -1.0, -3.0)]
GOLD = [0.4, 1.2, 2.0, 0.2]


def _outcomes() -> list[ItemOutcome]:
    return [
        ItemOutcome(choice_logprobs=lp, choices=CHOICES, gold=0, gold_value=g)
        for lp, g in zip(LOGPROBS, GOLD, strict=True)
    ]


def _expected(logprobs: tuple[float, ...]) -> float:
    p = np.exp(logprobs) / np.exp(logprobs).sum()
    return float(p @ np.array([0.0, 1.0, 2.0]))


def test_expected_value_is_the_softmax_weighted_choice_number() -> None:
    outcome = _outcomes()[3]
    assert expected_choice_value(outcome, "pearson") == pytest.approx(_expected(LOGPROBS[3]))


def test_pearson_equals_scipy() -> None:
    x = [_expected(lp) for lp in LOGPROBS]
    value = get_metric("pearson").summarize(_outcomes(), n_resamples=0).value
    assert value == pytest.approx(stats.pearsonr(x, GOLD).statistic, abs=1e-12)


def test_spearman_equals_scipy() -> None:
    x = [_expected(lp) for lp in LOGPROBS]
    value = get_metric("spearman").summarize(_outcomes(), n_resamples=0).value
    assert value == pytest.approx(stats.spearmanr(x, GOLD).statistic, abs=1e-12)


def test_constant_gold_gives_nan_not_an_error() -> None:
    outcomes = [
        ItemOutcome(choice_logprobs=lp, choices=CHOICES, gold=0, gold_value=1.0) for lp in LOGPROBS
    ]
    assert math.isnan(get_metric("pearson").summarize(outcomes, n_resamples=0).value)


def test_missing_gold_value_names_doc_to_value() -> None:
    outcome = ItemOutcome(choice_logprobs=LOGPROBS[0], choices=CHOICES, gold=0)
    with pytest.raises(HarnessError, match="doc_to_value"):
        get_metric("spearman").summarize([outcome, outcome])


def test_non_numeric_choices_are_refused() -> None:
    outcome = ItemOutcome(choice_logprobs=(-1.0, -2.0), choices=(" no", " yes"), gold=0)
    with pytest.raises(HarnessError, match="needs numeric choices"):
        expected_choice_value(outcome, "pearson")
