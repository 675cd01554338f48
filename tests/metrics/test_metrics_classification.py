"""MCC, F1 and macro F1 over multiple-choice predictions, pinned to scikit-learn."""

import pytest
from sklearn.metrics import f1_score, matthews_corrcoef

from harness.metrics import ItemOutcome, get_metric

# (gold, predicted) pairs; the prediction is made the argmax by its loglikelihood.
BINARY = [(1, 1), (1, 0), (0, 0), (0, 0), (1, 1), (0, 1), (1, 1), (0, 0)]
THREE_WAY = [(0, 0), (1, 2), (2, 2), (0, 1), (1, 1), (2, 0), (0, 0), (2, 2)]


def _outcomes(pairs: list[tuple[int, int]], k: int) -> list[ItemOutcome]:
    return [
        ItemOutcome(
            choice_logprobs=tuple(-0.5 if i == pred else -2.0 - i for i in range(k)),
            choices=tuple(f" c{i}" for i in range(k)),
            gold=gold,
        )
        for gold, pred in pairs
    ]


def _golds_preds(pairs: list[tuple[int, int]]) -> tuple[list[int], list[int]]:
    return [g for g, _ in pairs], [p for _, p in pairs]


def test_mcc_equals_sklearn_on_binary_labels() -> None:
    golds, preds = _golds_preds(BINARY)
    value = get_metric("mcc").summarize(_outcomes(BINARY, 2), n_resamples=0).value
    assert value == pytest.approx(matthews_corrcoef(golds, preds), abs=1e-12)


def test_mcc_equals_sklearn_on_three_classes() -> None:
    golds, preds = _golds_preds(THREE_WAY)
    value = get_metric("mcc").summarize(_outcomes(THREE_WAY, 3), n_resamples=0).value
    assert value == pytest.approx(matthews_corrcoef(golds, preds), abs=1e-12)


def test_mcc_is_zero_when_one_label_is_always_predicted() -> None:
    pairs = [(1, 1), (0, 1), (1, 1)]
    assert get_metric("mcc").summarize(_outcomes(pairs, 2), n_resamples=0).value == 0.0


def test_f1_takes_choice_one_as_the_positive_class_like_sklearn() -> None:
    golds, preds = _golds_preds(BINARY)
    value = get_metric("f1").summarize(_outcomes(BINARY, 2), n_resamples=0).value
    assert value == pytest.approx(f1_score(golds, preds), abs=1e-12)


def test_f1a_is_binary_f1_under_its_own_name() -> None:
    result = get_metric("f1a").summarize(_outcomes(BINARY, 2), n_resamples=0)
    golds, preds = _golds_preds(BINARY)
    assert (result.name, result.value) == ("f1a", pytest.approx(f1_score(golds, preds)))


def test_macro_f1_averages_every_class_like_sklearn() -> None:
    golds, preds = _golds_preds(THREE_WAY)
    value = get_metric("f1_macro").summarize(_outcomes(THREE_WAY, 3), n_resamples=0).value
    expected = f1_score(golds, preds, average="macro", labels=[0, 1, 2], zero_division=0)
    assert value == pytest.approx(expected, abs=1e-12)


def test_macro_f1_counts_a_class_never_seen_as_zero() -> None:
    pairs = [(0, 0), (1, 1), (0, 0)]  # class 2 is neither gold nor predicted
    value = get_metric("f1_macro").summarize(_outcomes(pairs, 3), n_resamples=0).value
    assert value == pytest.approx(2 / 3)


def test_label_metrics_have_no_item_value_and_a_seeded_ci() -> None:
    metric = get_metric("mcc")
    outcomes = _outcomes(BINARY, 2)
    first = metric.summarize(outcomes, seed=0, n_resamples=200)
    assert metric.item_value(outcomes[0]) is None
    assert first.ci_low is not None and first.ci_low <= first.value <= first.ci_high  # type: ignore[operator]
    assert metric.summarize(outcomes, seed=0, n_resamples=200) == first
