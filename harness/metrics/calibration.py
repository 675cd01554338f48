"""Calibration of multiple-choice answers, as HELM reports it.

An item's confidence is the probability of the chosen answer after a softmax over the
choices' loglikelihoods (the answer is the highest-loglikelihood choice, as in ``acc``).

- ``ece_10bin``: expected calibration error with 10 equal-mass bins: sort the items by
  confidence, split them into 10 bins of (nearly) equal count (``numpy.array_split``, so
  the first ``n % 10`` bins hold one more), and sum ``|bin| / n * |acc_bin - conf_bin|``.
  HELM (via the ``uncertainty-calibration`` package) places bin edges between sorted
  confidences, which gives the same bins whenever no two confidences tie. With fewer than
  10 items every item is its own bin.
- ``selective_acc@10``: accuracy on the 10% most confident items (at least one).
- ``selective_cov_acc_area``: area under the accuracy-coverage curve, the mean over
  k = 1..n of the accuracy of the k most confident items.

Ties in confidence keep item order (a stable sort), so every number is deterministic.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from harness.metrics.base import missing_field
from harness.metrics.outcome import ItemOutcome
from harness.metrics.registry import register_metric
from harness.metrics.row_metric import RowMetric, Rows

Values = Sequence[float] | npt.NDArray[np.float64]

NUM_BINS = 10
SELECTIVE_COVERAGE = 0.1


def choice_probabilities(logprobs: Values) -> npt.NDArray[np.float64]:
    """Softmax over the choices' loglikelihoods (shifted by the maximum for stability)."""
    values = np.asarray(logprobs, dtype=np.float64)
    weights = np.exp(values - values.max())
    return np.asarray(weights / weights.sum(), dtype=np.float64)


def confidence_and_correct(outcome: ItemOutcome, metric: str) -> tuple[float, float]:
    """(probability of the chosen answer, 1.0 when it is the gold one) for one item."""
    if outcome.choice_logprobs is None:
        raise missing_field(metric, "choice_logprobs", "multiple_choice")
    if outcome.gold is None:
        raise missing_field(metric, "gold", "multiple_choice")
    probabilities = choice_probabilities(outcome.choice_logprobs)
    chosen = int(np.argmax(probabilities))  # first of ties, as acc
    return float(probabilities[chosen]), float(chosen == outcome.gold)


def equal_mass_bins(confidences: Values, num_bins: int = NUM_BINS) -> list[npt.NDArray[np.int64]]:
    """Item indices per bin: sorted by confidence, split into ``num_bins`` equal-count parts."""
    order = np.argsort(np.asarray(confidences, dtype=np.float64), kind="stable")
    return [part for part in np.array_split(order, min(num_bins, len(order))) if len(part)]


def expected_calibration_error(
    confidences: Values, correct: Values, num_bins: int = NUM_BINS
) -> float:
    """Sum over equal-mass bins of |bin|/n * |accuracy in bin - mean confidence in bin|."""
    conf = np.asarray(confidences, dtype=np.float64)
    hits = np.asarray(correct, dtype=np.float64)
    n = len(conf)
    gaps = [
        len(b) / n * abs(float(hits[b].mean()) - float(conf[b].mean()))
        for b in equal_mass_bins(conf, num_bins)
    ]
    return float(sum(gaps))


def _most_confident_first(confidences: Values) -> npt.NDArray[np.int64]:
    return np.argsort(-np.asarray(confidences, dtype=np.float64), kind="stable")


def selective_accuracy(
    confidences: Values, correct: Values, coverage: float = SELECTIVE_COVERAGE
) -> float:
    """Accuracy on the ``coverage`` share of most confident items (ceil, at least one)."""
    order = _most_confident_first(confidences)
    k = max(1, math.ceil(coverage * len(order) - 1e-9))
    return float(np.asarray(correct, dtype=np.float64)[order[:k]].mean())


def coverage_accuracy_area(confidences: Values, correct: Values) -> float:
    """Mean over k = 1..n of the accuracy of the k most confident items."""
    order = _most_confident_first(confidences)
    hits = np.asarray(correct, dtype=np.float64)[order]
    return float(np.mean(np.cumsum(hits) / np.arange(1, len(hits) + 1)))


class CalibrationMetric(RowMetric):
    """A calibration statistic over (confidence, correct) rows; bootstrap CI over items."""

    output_types = frozenset({"multiple_choice"})

    def rows(self, outcomes: Sequence[ItemOutcome]) -> Rows:
        return np.asarray(
            [confidence_and_correct(o, self.name) for o in outcomes], dtype=np.float64
        ).reshape(-1, 2)


@register_metric("ece_10bin")
class ExpectedCalibrationError(CalibrationMetric):
    """ECE with 10 equal-mass bins (HELM's ``ece_10_bin``); 0 is perfectly calibrated."""

    name = "ece_10bin"
    higher_is_better = False

    def statistic(self, rows: Rows) -> float:
        return expected_calibration_error(rows[:, 0], rows[:, 1])


@register_metric("selective_acc@10")
class SelectiveAccuracy(CalibrationMetric):
    """Accuracy on the 10% most confident items (HELM's ``selective_acc@10``)."""

    name = "selective_acc@10"
    higher_is_better = True

    def statistic(self, rows: Rows) -> float:
        return selective_accuracy(rows[:, 0], rows[:, 1])


@register_metric("selective_cov_acc_area")
class CoverageAccuracyArea(CalibrationMetric):
    """Area under the accuracy-coverage curve (HELM's ``selective_cov_acc_area``)."""

    name = "selective_cov_acc_area"
    higher_is_better = True

    def statistic(self, rows: Rows) -> float:
        return coverage_accuracy_area(rows[:, 0], rows[:, 1])
