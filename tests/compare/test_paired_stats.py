"""The paired statistics against scipy, statsmodels and hand computations on fixed data."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats
from statsmodels.stats.contingency_tables import mcnemar
from statsmodels.stats.multitest import multipletests

from harness.compare.paired_stats import (
    DiscordantCounts,
    binary_paired_difference,
    bootstrap_corpus_difference,
    bootstrap_mean_difference,
    discordant_counts,
    holm_adjust,
    mcnemar_exact_p,
    minimum_detectable_effect,
    sign_flip_p,
)
from harness.errors import HarnessError


def _binary_runs(both: int, base_only: int, cand_only: int, neither: int) -> tuple:
    base = [1.0] * both + [1.0] * base_only + [0.0] * cand_only + [0.0] * neither
    cand = [1.0] * both + [0.0] * base_only + [1.0] * cand_only + [0.0] * neither
    return np.array(base), np.array(cand)


@pytest.mark.parametrize("table", [(10, 3, 12, 5), (4, 0, 5, 1), (20, 7, 7, 2), (0, 1, 30, 0)])
def test_mcnemar_exact_p_equals_statsmodels(table: tuple[int, int, int, int]) -> None:
    both, base_only, cand_only, neither = table
    expected = mcnemar([[both, base_only], [cand_only, neither]], exact=True).pvalue
    counts = DiscordantCounts(n=sum(table), baseline_only=base_only, candidate_only=cand_only)
    assert mcnemar_exact_p(counts) == pytest.approx(expected, rel=1e-12)


def test_discordant_counts_reads_the_off_diagonal_cells() -> None:
    base, cand = _binary_runs(10, 3, 12, 5)
    assert discordant_counts(base, cand) == DiscordantCounts(30, 3, 12)


def test_binary_difference_is_the_paired_wald_interval_by_hand() -> None:
    base, cand = _binary_runs(10, 3, 12, 5)  # n = 30, b = 3, c = 12
    estimate = binary_paired_difference(base, cand)
    se = math.sqrt(3 + 12 - (12 - 3) ** 2 / 30) / 30
    z = stats.norm.ppf(0.975)
    assert estimate.difference == pytest.approx(0.3)
    assert estimate.ci_low == pytest.approx(0.3 - z * se)
    assert estimate.ci_high == pytest.approx(0.3 + z * se)
    assert estimate.p_value == pytest.approx(stats.binomtest(12, 15, 0.5).pvalue)
    assert estimate.discordant == 15


def test_identical_binary_runs_have_a_zero_width_interval_and_p_one() -> None:
    base, _ = _binary_runs(6, 0, 0, 4)
    estimate = binary_paired_difference(base, base)
    assert (estimate.difference, estimate.ci_low, estimate.ci_high, estimate.p_value) == (
        0.0,
        0.0,
        0.0,
        1.0,
    )


def test_mcnemar_refuses_values_other_than_zero_and_one() -> None:
    with pytest.raises(HarnessError, match="0/1 item values"):
        binary_paired_difference(np.array([0.5, 1.0]), np.array([1.0, 0.0]))


def test_paired_bootstrap_ci_equals_scipy_bootstrap_with_the_same_generator() -> None:
    rng = np.random.default_rng(5)
    base = rng.random(30)
    cand = base + rng.normal(0.05, 0.1, 30)
    estimate = bootstrap_mean_difference(base, cand, n_resamples=1000, seed=3)
    reference = stats.bootstrap(
        (base, cand),
        lambda x, y, axis=-1: np.mean(y - x, axis=axis),
        paired=True,
        vectorized=True,
        n_resamples=1000,
        method="percentile",
        rng=np.random.default_rng(3),
    ).confidence_interval
    assert estimate.ci_low == pytest.approx(reference.low, rel=1e-12)
    assert estimate.ci_high == pytest.approx(reference.high, rel=1e-12)
    assert estimate.difference == pytest.approx(float(np.mean(cand - base)))


def test_sign_flip_p_equals_scipy_exact_permutation_test() -> None:
    differences = np.array([0.3, -0.1, 0.25, 0.0, 0.4, -0.05, 0.2, 0.15, -0.3, 0.1, 0.35])
    reference = stats.permutation_test(
        (differences,),
        lambda x, axis=-1: np.mean(x, axis=axis),
        permutation_type="samples",
        vectorized=True,
        n_resamples=10_000,
    ).pvalue
    assert sign_flip_p(differences) == pytest.approx(reference, rel=1e-12)


def test_sign_flip_p_by_random_patterns_is_never_zero() -> None:
    differences = np.full(40, 0.5)  # 2**40 patterns: sampled, and none is as extreme
    assert sign_flip_p(differences, n_resamples=999, seed=0) == pytest.approx(1 / 1000)


def test_holm_adjust_equals_statsmodels() -> None:
    p_values = [0.01, 0.04, 0.03, 0.5, 0.001]
    expected = multipletests(p_values, method="holm")[1]
    assert holm_adjust(p_values) == pytest.approx(list(expected), rel=1e-12)


def _ratio(totals: np.ndarray) -> float:
    return float(totals[0] / totals[1])


def _ratio_of_rows(rows: np.ndarray) -> float:
    return _ratio(rows.sum(axis=0))


def test_corpus_difference_scores_both_runs_on_the_same_resampled_items() -> None:
    base = np.array([[1.0, 2.0], [3.0, 4.0], [2.0, 2.0], [0.0, 1.0]])
    cand = np.array([[2.0, 2.0], [3.0, 4.0], [1.0, 2.0], [1.0, 1.0]])
    estimate = bootstrap_corpus_difference(
        base, cand, _ratio_of_rows, n_resamples=200, n_permutations=50
    )
    assert estimate.difference == pytest.approx(7 / 9 - 6 / 9)
    indices = np.random.default_rng(0).integers(0, 4, size=(200, 4))
    replicates = [_ratio(cand[i].sum(0)) - _ratio(base[i].sum(0)) for i in indices]
    low, high = np.percentile(replicates, [2.5, 97.5])
    assert (estimate.ci_low, estimate.ci_high) == (pytest.approx(low), pytest.approx(high))


def test_identical_corpus_runs_differ_by_exactly_zero_with_p_one() -> None:
    rows = np.array([[1.0, 2.0], [3.0, 4.0], [2.0, 2.0]])
    estimate = bootstrap_corpus_difference(rows, rows.copy(), _ratio_of_rows, n_permutations=99)
    assert (estimate.difference, estimate.ci_low, estimate.ci_high, estimate.p_value) == (
        0.0,
        0.0,
        0.0,
        1.0,
    )


def test_mde_of_a_mean_is_margin_plus_z_sum_times_the_upper_bound_of_se() -> None:
    inflation = math.sqrt(99 / stats.chi2.ppf(0.05, 99))
    z = stats.norm.ppf(0.975) + stats.norm.ppf(0.8)
    assert minimum_detectable_effect(0.01, 100, margin=0.02) == pytest.approx(
        0.02 + z * 0.01 * inflation
    )


def test_mde_of_agreeing_binary_runs_is_positive_not_the_margin() -> None:
    # No discordant items out of 100: the Clopper-Pearson bound on discordance still
    # leaves room for a drop, so the gate cannot claim to see an arbitrarily small one.
    mde = minimum_detectable_effect(0.0, 100, margin=0.0, discordant=0)
    assert 0.03 < mde < 0.1


def test_paired_values_must_have_equal_length() -> None:
    with pytest.raises(HarnessError, match="equal length"):
        bootstrap_mean_difference(np.zeros(3), np.zeros(4))
