"""Pearson and Spearman correlation of a model's score with a numeric gold (STS-B).

A language model gives no number directly. The task lists numeric choices (" 0" to " 5");
the model's similarity is the expected value of those numbers under the softmax of their
loglikelihoods, sum_i p_i * v_i, which uses the whole distribution rather than only the
argmax and so ranks pairs more finely. The gold is the dataset's float score
(``doc_to_value``). Coefficients come from ``scipy.stats``; undefined (constant inputs) is NaN.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from harness.errors import HarnessError
from harness.metrics.base import missing_field
from harness.metrics.outcome import ItemOutcome
from harness.metrics.registry import register_metric
from harness.metrics.row_metric import RowMetric, Rows


def expected_choice_value(outcome: ItemOutcome, metric: str) -> float:
    """sum_i softmax(logprobs)_i * float(choice_i)."""
    if outcome.choice_logprobs is None:
        raise missing_field(metric, "choice_logprobs", "multiple_choice")
    if outcome.choices is None:
        raise missing_field(metric, "choices", "multiple_choice")
    try:
        values = np.asarray([float(c) for c in outcome.choices], dtype=np.float64)
    except ValueError:
        raise HarnessError(
            f"metric '{metric}' needs numeric choices (e.g. ' 0' ... ' 5'), got "
            f"{', '.join(repr(c) for c in outcome.choices[:3])}; make the choices numbers"
        ) from None
    logprobs = np.asarray(outcome.choice_logprobs, dtype=np.float64)
    weights = np.exp(logprobs - logprobs.max())
    return float(weights @ values / weights.sum())


class _Correlation(RowMetric):
    higher_is_better = True
    output_types = frozenset({"multiple_choice"})

    def rows(self, outcomes: Sequence[ItemOutcome]) -> Rows:
        rows = []
        for outcome in outcomes:
            if outcome.gold_value is None:
                raise HarnessError(
                    f"metric '{self.name}' needs a numeric gold per item; set the task's doc_to_value"
                )
            rows.append((expected_choice_value(outcome, self.name), outcome.gold_value))
        return np.asarray(rows, dtype=np.float64)

    def statistic(self, rows: Rows) -> float:
        x, y = rows[:, 0], rows[:, 1]
        if len(rows) < 2 or np.all(x == x[0]) or np.all(y == y[0]):
            return math.nan
        return self.coefficient(x, y)

    def coefficient(self, x: np.ndarray, y: np.ndarray) -> float:
        raise NotImplementedError


@register_metric("pearson")
class Pearson(_Correlation):
    """Pearson's r of the expected choice value and the gold value."""

    name = "pearson"

    def coefficient(self, x: np.ndarray, y: np.ndarray) -> float:
        from scipy import stats  # ~0.6 s to import: only when a correlation is computed

        return float(stats.pearsonr(x, y).statistic)


@register_metric("spearman")
class Spearman(_Correlation):
    """Spearman's rank correlation of the expected choice value and the gold value."""

    name = "spearman"

    def coefficient(self, x: np.ndarray, y: np.ndarray) -> float:
        from scipy import stats

        return float(stats.spearmanr(x, y).statistic)
