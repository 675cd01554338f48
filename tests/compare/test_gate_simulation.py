"""The gate's error rates on simulated paired data, 200 seeded repetitions each.

A/A: the candidate is exchangeable with the baseline (no true difference); the gate may
call at most 5% of these regressions. Power: each repetition first reads the MDE the gate
prints on an A/A pilot, then draws a candidate whose true mean drop is exactly that MDE;
the gate must call at least 80% of these regressions. Vectorised numpy, no models.
"""

from __future__ import annotations

import numpy as np
import pytest

from harness.compare.paired_stats import (
    PairedEstimate,
    binary_paired_difference,
    bootstrap_mean_difference,
    minimum_detectable_effect,
)
from harness.compare.verdict import verdict

REPETITIONS = 200
N_ITEMS = 400
DISCORDANCE = 0.3


def binary_pair(rng: np.random.Generator, drop: float) -> tuple[np.ndarray, np.ndarray]:
    """0/1 runs where a share DISCORDANCE of items disagree, the candidate losing `drop` net."""
    u = rng.random(N_ITEMS)
    worse = u < (DISCORDANCE + drop) / 2
    better = ~worse & (u < DISCORDANCE)
    agreed = (rng.random(N_ITEMS) < 0.5).astype(float)
    base = np.where(worse, 1.0, np.where(better, 0.0, agreed))
    cand = np.where(worse, 0.0, np.where(better, 1.0, agreed))
    return base, cand


def continuous_pair(rng: np.random.Generator, drop: float) -> tuple[np.ndarray, np.ndarray]:
    """ROUGE-like scores in [0, 1] and a candidate shifted by -`drop` plus item noise."""
    base = rng.beta(2, 5, N_ITEMS)
    return base, base + rng.normal(-drop, 0.15, N_ITEMS)


def _binary(base: np.ndarray, cand: np.ndarray) -> PairedEstimate:
    return binary_paired_difference(base, cand)


def _continuous(base: np.ndarray, cand: np.ndarray) -> PairedEstimate:
    # The p-value plays no part in a single-metric verdict; few permutations keep it fast.
    return bootstrap_mean_difference(base, cand, n_permutations=10)


CASES = {"binary": (binary_pair, _binary), "continuous": (continuous_pair, _continuous)}


def _verdicts(kind: str, margin: float, drop_at_mde: bool) -> list[str]:
    generate, estimate = CASES[kind]
    verdicts = []
    for rep in range(REPETITIONS):
        rng = np.random.default_rng(rep)
        drop = 0.0
        if drop_at_mde:
            pilot = estimate(*generate(rng, 0.0))
            drop = minimum_detectable_effect(
                pilot.se, N_ITEMS, margin=margin, discordant=pilot.discordant
            )
        result = estimate(*generate(rng, drop))
        verdicts.append(verdict(result.ci_low, result.ci_high, margin, higher_is_better=True))
    return verdicts


@pytest.mark.parametrize("kind", ["binary", "continuous"])
@pytest.mark.parametrize("margin", [0.0, 0.02])
def test_a_a_false_regression_rate_is_at_most_five_percent(kind: str, margin: float) -> None:
    verdicts = _verdicts(kind, margin, drop_at_mde=False)
    assert verdicts.count("regress") / REPETITIONS <= 0.05


@pytest.mark.parametrize("kind", ["binary", "continuous"])
@pytest.mark.parametrize("margin", [0.0, 0.02])
def test_a_true_drop_of_the_printed_mde_is_called_a_regression_80_percent_of_the_time(
    kind: str, margin: float
) -> None:
    verdicts = _verdicts(kind, margin, drop_at_mde=True)
    assert verdicts.count("regress") / REPETITIONS >= 0.8
