"""Paired statistics for two runs scored on the same items (pure functions, seeded).

Pairing is what makes small evaluations informative: both runs answer the same questions,
so the item-to-item difficulty cancels and only the disagreements carry signal. Every
function here takes per-item values of the baseline and the candidate in the same order
and returns numbers; nothing here knows about runs, tasks or the store.

Differences are always ``candidate - baseline``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import stats

from harness.errors import HarnessError

Array = npt.NDArray[np.float64]
RowScore = Callable[[Array], float]

# Resamples drawn per batch: bounds memory at about 16 MB of indices for any item count.
_BATCH_CELLS = 2_000_000


@dataclass(frozen=True)
class PairedEstimate:
    """A paired difference with its interval, a p-value for "no difference", and its spread.

    ``se`` is the standard error of ``difference`` (from the item differences, or from the
    bootstrap replicates for corpus metrics); it feeds the minimum detectable effect.
    """

    difference: float
    ci_low: float
    ci_high: float
    p_value: float
    se: float
    method: str
    discordant: int | None = None  # 0/1 metrics: items on which the runs disagree


@dataclass(frozen=True)
class DiscordantCounts:
    """The off-diagonal cells of the paired 2x2 table of two binary runs."""

    n: int
    baseline_only: int  # items the baseline got right and the candidate wrong
    candidate_only: int  # items the candidate got right and the baseline wrong


def discordant_counts(baseline: Array, candidate: Array) -> DiscordantCounts:
    """Count the discordant pairs of two 0/1 vectors."""
    base, cand = _paired(baseline, candidate)
    if not (np.isin(base, (0.0, 1.0)).all() and np.isin(cand, (0.0, 1.0)).all()):
        raise HarnessError(
            "McNemar's test needs 0/1 item values; use the paired bootstrap for this metric"
        )
    return DiscordantCounts(
        n=len(base),
        baseline_only=int(np.sum((base == 1.0) & (cand == 0.0))),
        candidate_only=int(np.sum((base == 0.0) & (cand == 1.0))),
    )


def mcnemar_exact_p(counts: DiscordantCounts) -> float:
    """McNemar's exact test: two-sided binomial test of the discordant pairs at p = 1/2.

    Under "no difference" each discordant pair is equally likely to favour either run,
    so the concordant pairs carry no information and drop out. No discordant pairs
    means no evidence of a difference: p = 1.
    """
    discordant = counts.baseline_only + counts.candidate_only
    if discordant == 0:
        return 1.0
    return float(stats.binomtest(counts.candidate_only, discordant, 0.5).pvalue)


def binary_paired_difference(
    baseline: Array, candidate: Array, *, confidence: float = 0.95
) -> PairedEstimate:
    """Difference of two paired proportions, its Wald interval and McNemar's exact p-value.

    The interval is the paired Wald interval, (c - b)/n ± z·sqrt(b + c - (c - b)²/n)/n,
    i.e. the normal interval of the mean item difference; it is exactly [0, 0] when the
    runs agree on every item, so a run compared with itself passes any margin >= 0.
    """
    counts = discordant_counts(baseline, candidate)
    n = counts.n
    b, c = counts.baseline_only, counts.candidate_only
    difference = (c - b) / n
    se = math.sqrt(max(b + c - (c - b) ** 2 / n, 0.0)) / n
    z = float(stats.norm.ppf(0.5 + confidence / 2))
    return PairedEstimate(
        difference=difference,
        ci_low=difference - z * se,
        ci_high=difference + z * se,
        p_value=mcnemar_exact_p(counts),
        se=se,
        method="mcnemar-exact",
        discordant=b + c,
    )


def bootstrap_indices(n: int, n_resamples: int, seed: int) -> list[npt.NDArray[np.int64]]:
    """Resampled item indices, in batches of rows, from ``numpy.random.default_rng(seed)``.

    One batch (the usual case) draws exactly what ``scipy.stats.bootstrap`` draws for the
    same generator, which is what lets the tests compare with it number for number.
    """
    rng = np.random.default_rng(seed)
    per_batch = max(1, _BATCH_CELLS // max(n, 1))
    batches = []
    left = n_resamples
    while left > 0:
        size = min(per_batch, left)
        batches.append(rng.integers(0, n, size=(size, n)))
        left -= size
    return batches


def _percentile_interval(replicates: Array, confidence: float) -> tuple[float, float]:
    tail = 100.0 * (1.0 - confidence) / 2.0
    low, high = np.percentile(replicates, [tail, 100.0 - tail])
    return float(low), float(high)


def sign_flip_p(differences: Array, *, n_resamples: int = 10_000, seed: int = 0) -> float:
    """Two-sided sign-flip permutation p-value of the mean of paired differences.

    Under "no difference" the two runs are exchangeable within each item, so each
    difference is equally likely to have either sign. With at most ``n_resamples``
    sign patterns among the non-zero differences they are all enumerated (an exact
    test); otherwise random patterns are drawn and p = (hits + 1)/(n_resamples + 1),
    which never reports an impossible p = 0. Zero differences never change the mean.
    """
    d = np.asarray(differences, dtype=np.float64)
    observed = abs(float(d.sum()))
    nonzero = d[d != 0.0]
    if len(nonzero) == 0:
        return 1.0
    tolerance = 1e-9 * max(1.0, observed)
    if 2 ** len(nonzero) <= n_resamples:
        patterns = ((np.arange(2 ** len(nonzero))[:, None] >> np.arange(len(nonzero))) & 1) * 2 - 1
        sums = np.abs(patterns @ nonzero)
        return float(np.mean(sums >= observed - tolerance))
    rng = np.random.default_rng(seed)
    hits = 0
    per_batch = max(1, _BATCH_CELLS // len(nonzero))
    left = n_resamples
    while left > 0:
        size = min(per_batch, left)
        signs = rng.choice(np.array([-1.0, 1.0]), size=(size, len(nonzero)))
        hits += int(np.sum(np.abs(signs @ nonzero) >= observed - tolerance))
        left -= size
    return (hits + 1) / (n_resamples + 1)


def bootstrap_mean_difference(
    baseline: Array,
    candidate: Array,
    *,
    n_resamples: int = 1000,
    n_permutations: int = 10_000,
    confidence: float = 0.95,
    seed: int = 0,
) -> PairedEstimate:
    """Mean paired difference with a seeded percentile bootstrap CI and a sign-flip p-value.

    Items, not runs, are resampled, and the same items for both runs: that keeps the
    pairing, so the interval reflects only how the runs disagree.
    """
    base, cand = _paired(baseline, candidate)
    d = cand - base
    replicates = np.concatenate(
        [d[idx].mean(axis=1) for idx in bootstrap_indices(len(d), n_resamples, seed)]
    )
    low, high = _percentile_interval(replicates, confidence)
    se = float(np.std(d, ddof=1)) / math.sqrt(len(d))
    return PairedEstimate(
        difference=float(d.mean()),
        ci_low=low,
        ci_high=high,
        p_value=sign_flip_p(d, n_resamples=n_permutations, seed=seed),
        se=se,
        method="paired-bootstrap",
    )


def bootstrap_corpus_difference(
    baseline_rows: Array,
    candidate_rows: Array,
    score_rows: RowScore,
    *,
    n_resamples: int = 1000,
    n_permutations: int = 1000,
    confidence: float = 0.95,
    seed: int = 0,
) -> PairedEstimate:
    """Difference of a corpus score (BLEU, chrF, perplexity) with a paired bootstrap CI.

    ``*_rows`` hold one row of additive sufficient statistics per item (same item order)
    and ``score_rows`` scores a set of rows. Each replicate draws one set of item indices
    and scores both runs on it. The p-value is a paired approximate randomization test
    (each item's rows swapped between the runs with probability 1/2), as sacrebleu's
    ``paired_ar``, with p = (hits + 1)/(n_permutations + 1).
    """
    base = np.asarray(baseline_rows, dtype=np.float64)
    cand = np.asarray(candidate_rows, dtype=np.float64)
    if base.shape != cand.shape or base.ndim != 2 or len(base) < 2:
        raise HarnessError(
            f"paired corpus statistics need two equal tables of at least 2 rows, got "
            f"{base.shape} and {cand.shape}; compare runs over the same items"
        )
    observed = score_rows(cand) - score_rows(base)
    replicates = np.array(
        [
            score_rows(cand[rows]) - score_rows(base[rows])
            for idx in bootstrap_indices(len(base), n_resamples, seed)
            for rows in idx
        ]
    )
    finite = replicates[np.isfinite(replicates)]
    if len(finite) < 2:
        raise HarnessError(
            "the corpus metric is undefined on almost every resample; compare more items"
        )
    low, high = _percentile_interval(finite, confidence)
    rng = np.random.default_rng(seed + 1)
    hits = 0
    for _ in range(n_permutations):
        swap = rng.random(len(base)) < 0.5
        swapped_base = np.where(swap[:, None], cand, base)
        swapped_cand = np.where(swap[:, None], base, cand)
        delta = score_rows(swapped_cand) - score_rows(swapped_base)
        if abs(delta) >= abs(observed) - 1e-9 * max(1.0, abs(observed)):
            hits += 1
    return PairedEstimate(
        difference=float(observed),
        ci_low=low,
        ci_high=high,
        p_value=(hits + 1) / (n_permutations + 1),
        se=float(np.std(finite, ddof=1)),
        method="paired-bootstrap-corpus",
    )


def holm_adjust(p_values: list[float]) -> list[float]:
    """Holm's step-down adjusted p-values, in the input order.

    Controls the chance of any false finding across the family (here: one metric over the
    tasks of a suite) without assuming the tests are independent.
    """
    k = len(p_values)
    order = sorted(range(k), key=lambda i: p_values[i])
    adjusted = [0.0] * k
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (k - rank) * p_values[i]))
        adjusted[i] = running
    return adjusted


def minimum_detectable_effect(
    se: float,
    n: int,
    *,
    margin: float = 0.0,
    discordant: int | None = None,
    confidence: float = 0.95,
    power: float = 0.8,
    se_confidence: float = 0.95,
) -> float:
    """The true drop that the gate calls ``regress`` with at least ``power`` probability.

    The gate calls a regression when the upper end of the two-sided interval lies below
    ``-margin``; for a normal estimate with standard error σ that happens with
    probability ``power`` once the true drop reaches margin + (z_conf + z_power)·σ.

    σ itself is estimated from the same items, and an MDE from an optimistic σ would
    promise power it does not have, so σ is taken at its one-sided ``se_confidence``
    upper bound: the χ² bound on a sample variance with n - 1 degrees of freedom, or, for
    0/1 metrics (``discordant`` given), from the Clopper-Pearson upper bound q of the
    share of discordant items, with item variance max(q, δ) - δ² at a drop δ (a drop of
    δ needs at least a share δ of discordant items), solved for δ. The second floor is
    what keeps the figure honest when two runs happen to agree on every item.
    """
    z = float(stats.norm.ppf(0.5 + confidence / 2) + stats.norm.ppf(power))
    if n < 2:
        return math.inf
    if discordant is None:
        inflation = math.sqrt((n - 1) / float(stats.chi2.ppf(1.0 - se_confidence, n - 1)))
        return margin + z * se * inflation
    q_upper = (
        1.0
        if discordant >= n
        else float(stats.beta.ppf(se_confidence, discordant + 1, n - discordant))
    )
    effect = margin
    for _ in range(200):
        drop = min(abs(effect), 1.0)
        sigma = math.sqrt(max(max(q_upper, drop) - drop**2, 0.0) / n)
        updated = min(margin + z * sigma, 1.0)
        if abs(updated - effect) < 1e-12:
            break
        effect = updated
    return effect


def _paired(baseline: Array, candidate: Array) -> tuple[Array, Array]:
    base = np.asarray(baseline, dtype=np.float64)
    cand = np.asarray(candidate, dtype=np.float64)
    if base.shape != cand.shape or base.ndim != 1:
        raise HarnessError(
            f"paired values need two vectors of equal length, got {base.shape} and "
            f"{cand.shape}; pair the items of the two runs first"
        )
    if len(base) < 2:
        raise HarnessError(
            f"a paired comparison needs at least 2 common items, got {len(base)}; "
            "evaluate more items (raise --limit)"
        )
    if not (np.isfinite(base).all() and np.isfinite(cand).all()):
        raise HarnessError(
            "some per-item values are NaN or infinite; compare a metric defined on every item"
        )
    return base, cand
