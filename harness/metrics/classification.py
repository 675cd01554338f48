"""Label metrics over multiple-choice predictions: MCC (CoLA, AX-b), F1 (MRPC, MultiRC), macro F1 (CB).

The predicted label is the choice with the highest loglikelihood (first of ties, as ``acc``);
the gold label is the gold choice index. Binary F1 takes choice 1 as the positive class, so a
task lists its choices as [negative, positive] (["no", "yes"]), as lm-eval's GLUE tasks do.
Definitions follow scikit-learn, which the tests compare against: MCC is 0 when undefined,
macro F1 averages the per-class F1 of every choice index (0 for a class never predicted
nor gold), which is lm-eval's CB ``cb_multi_fi``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import partial

import numpy as np

from harness.metrics.base import missing_field
from harness.metrics.outcome import ItemOutcome
from harness.metrics.registry import register_metric
from harness.metrics.row_metric import RowMetric, Rows

_MULTIPLE_CHOICE = frozenset({"multiple_choice"})


def predicted_label(outcome: ItemOutcome, metric: str) -> tuple[int, int, int]:
    """(predicted index, gold index, number of choices) of a multiple-choice outcome."""
    if outcome.choice_logprobs is None:
        raise missing_field(metric, "choice_logprobs", "multiple_choice")
    if outcome.gold is None:
        raise missing_field(metric, "gold", "multiple_choice")
    logprobs = np.asarray(outcome.choice_logprobs, dtype=np.float64)
    return int(np.argmax(logprobs)), outcome.gold, len(logprobs)


def confusion(rows: Rows) -> np.ndarray:
    """Counts[gold, predicted] over rows of (predicted, gold, n_choices)."""
    k = int(rows[:, 2].max())
    counts = np.zeros((k, k), dtype=np.float64)
    np.add.at(counts, (rows[:, 1].astype(int), rows[:, 0].astype(int)), 1.0)
    return counts


def mcc(counts: np.ndarray) -> float:
    """Matthews correlation from a confusion matrix (multiclass form, as scikit-learn)."""
    t = counts.sum(axis=1)  # gold totals
    p = counts.sum(axis=0)  # predicted totals
    c = np.trace(counts)
    s = counts.sum()
    denominator = math.sqrt((s * s - float(p @ p)) * (s * s - float(t @ t)))
    return 0.0 if denominator == 0 else float(c * s - t @ p) / denominator


def class_f1(counts: np.ndarray, label: int) -> float:
    """F1 of one class against the rest; 0 when it has no true positives."""
    tp = counts[label, label]
    predicted = counts[:, label].sum()
    gold = counts[label, :].sum()
    return 0.0 if tp == 0 else float(2 * tp / (predicted + gold))


class _LabelMetric(RowMetric):
    higher_is_better = True
    output_types = _MULTIPLE_CHOICE

    def rows(self, outcomes: Sequence[ItemOutcome]) -> Rows:
        return np.asarray([predicted_label(o, self.name) for o in outcomes], dtype=np.float64)


@register_metric("mcc")
class MatthewsCorrelation(_LabelMetric):
    """Matthews correlation coefficient of predicted and gold labels (-1 to 1)."""

    name = "mcc"

    def statistic(self, rows: Rows) -> float:
        return mcc(confusion(rows))


class BinaryF1(_LabelMetric):
    """F1 of choice 1 (the positive class) over all items."""

    def __init__(self, name: str) -> None:
        self.name = name

    def statistic(self, rows: Rows) -> float:
        return class_f1(confusion(rows), 1)


# MultiRC's F1a is binary F1 over every answer option; same rule, its own name in reports.
register_metric("f1")(partial(BinaryF1, "f1"))
register_metric("f1a")(partial(BinaryF1, "f1a"))


@register_metric("f1_macro")
class MacroF1(_LabelMetric):
    """Unweighted mean of each choice's one-vs-rest F1."""

    name = "f1_macro"

    def statistic(self, rows: Rows) -> float:
        counts = confusion(rows)
        return float(np.mean([class_f1(counts, label) for label in range(len(counts))]))
