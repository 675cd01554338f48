"""Held-out metrics of the classifier: precision, recall, F1, ROC-AUC, and the 3-way scores.

Pure numpy, defined as scikit-learn defines them (the tests compare): precision and recall
are 0 when undefined, ROC-AUC is the Mann-Whitney statistic with ties counted half, which
equals the area under the trapezoidal ROC curve.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def precision_recall_f1(
    gold: Sequence[int], predicted: Sequence[int]
) -> tuple[float, float, float]:
    """Binary precision, recall and F1 of the positive class (1); 0 where undefined."""
    y = np.asarray(gold, dtype=bool)
    p = np.asarray(predicted, dtype=bool)
    tp = float(np.sum(y & p))
    fp = float(np.sum(~y & p))
    fn = float(np.sum(y & ~p))
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
    return precision, recall, f1


def roc_auc(gold: Sequence[int], scores: Sequence[float]) -> float:
    """Probability that a random positive outscores a random negative (ties count half).

    NaN when only one class is present, where the area is undefined.
    """
    y = np.asarray(gold, dtype=bool)
    s = np.asarray(scores, dtype=np.float64)
    n_pos, n_neg = int(y.sum()), int((~y).sum())
    if n_pos == 0 or n_neg == 0:
        return float("nan")
    ranks = _average_ranks(s)
    return float((ranks[y].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def _average_ranks(values: np.ndarray) -> np.ndarray:
    """1-based ranks, tied values sharing the mean of their ranks (scipy's ``rankdata``)."""
    order = np.argsort(values, kind="mergesort")
    sorted_values = values[order]
    ranks = np.empty(len(values), dtype=np.float64)
    start = 0
    while start < len(values):
        end = start
        while end + 1 < len(values) and sorted_values[end + 1] == sorted_values[start]:
            end += 1
        ranks[order[start : end + 1]] = (start + end) / 2 + 1
        start = end + 1
    return ranks


def macro_f1(gold: Sequence[int], predicted: Sequence[int], n_labels: int) -> float:
    """Mean over labels of one-vs-rest F1 (0 for a label never gold nor predicted)."""
    y = np.asarray(gold)
    p = np.asarray(predicted)
    per_label = [
        precision_recall_f1((y == k).astype(int).tolist(), (p == k).astype(int).tolist())[2]
        for k in range(n_labels)
    ]
    return float(np.mean(per_label))


def heldout_report(
    labels: Sequence[int], probabilities: np.ndarray, *, neither: int, threshold: float = 0.5
) -> dict[str, float]:
    """The numbers the build prints: toxic-vs-non-toxic P/R/F1/AUC and 3-way accuracy/F1.

    ``probabilities`` has one row of 3-way probabilities per example; the toxic score is
    ``1 - P(neither)`` and an example is predicted toxic when the score is >= ``threshold``.
    """
    gold_3way = np.asarray(labels)
    toxic_score = 1.0 - probabilities[:, neither]
    gold = (gold_3way != neither).astype(int)
    predicted = (toxic_score >= threshold).astype(int)
    precision, recall, f1 = precision_recall_f1(gold.tolist(), predicted.tolist())
    predicted_3way = probabilities.argmax(axis=1)
    return {
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "roc_auc": roc_auc(gold.tolist(), toxic_score.tolist()),
        "accuracy": float(np.mean(gold == predicted)),
        "toxic_share": float(gold.mean()),
        "accuracy_3way": float(np.mean(gold_3way == predicted_3way)),
        "f1_macro_3way": macro_f1(
            gold_3way.tolist(), predicted_3way.tolist(), probabilities.shape[1]
        ),
    }
