"""Held-out precision, recall, F1, ROC-AUC and macro F1 equal scikit-learn's."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import f1_score, precision_score, recall_score, roc_auc_score

from harness.toxicity.evaluation import heldout_report, macro_f1, precision_recall_f1, roc_auc


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_binary_scores_match_scikit_learn(seed: int) -> None:
    rng = np.random.default_rng(seed)
    gold = rng.integers(0, 2, size=200)
    # Rounded scores, so ties occur and the AUC's tie handling is exercised.
    scores = np.round(np.clip(gold * 0.3 + rng.random(200) * 0.8, 0, 1), 1)
    predicted = (scores >= 0.5).astype(int)
    precision, recall, f1 = precision_recall_f1(gold.tolist(), predicted.tolist())
    assert precision == pytest.approx(precision_score(gold, predicted))
    assert recall == pytest.approx(recall_score(gold, predicted))
    assert f1 == pytest.approx(f1_score(gold, predicted))
    assert roc_auc(gold.tolist(), scores.tolist()) == pytest.approx(roc_auc_score(gold, scores))


def test_undefined_precision_is_zero_as_in_scikit_learn() -> None:
    gold, predicted = [1, 1, 0], [0, 0, 0]
    assert precision_recall_f1(gold, predicted) == (0.0, 0.0, 0.0)
    assert precision_score(gold, predicted, zero_division=0) == 0.0


def test_auc_is_nan_with_one_class() -> None:
    assert np.isnan(roc_auc([1, 1], [0.2, 0.9]))


def test_macro_f1_matches_scikit_learn() -> None:
    rng = np.random.default_rng(3)
    gold, predicted = rng.integers(0, 3, size=100), rng.integers(0, 3, size=100)
    assert macro_f1(gold.tolist(), predicted.tolist(), 3) == pytest.approx(
        f1_score(gold, predicted, average="macro")
    )


def test_heldout_report_collapses_three_labels_to_toxic_by_one_minus_p_neither() -> None:
    labels = [0, 1, 2, 2]  # hate, offensive, neither, neither
    probabilities = np.array([[0.1, 0.6, 0.3], [0.2, 0.2, 0.6], [0.1, 0.1, 0.8], [0.5, 0.1, 0.4]])
    report = heldout_report(labels, probabilities, neither=2)
    toxic_score = 1 - probabilities[:, 2]  # 0.7, 0.4, 0.2, 0.6
    gold, predicted = [1, 1, 0, 0], [1, 0, 0, 1]
    assert report["precision"] == pytest.approx(precision_score(gold, predicted))
    assert report["recall"] == pytest.approx(recall_score(gold, predicted))
    assert report["f1"] == pytest.approx(f1_score(gold, predicted))
    assert report["roc_auc"] == pytest.approx(roc_auc_score(gold, toxic_score))
    assert report["accuracy"] == pytest.approx(0.5)
    assert report["accuracy_3way"] == pytest.approx(0.25)  # argmax 1, 2, 2, 0
