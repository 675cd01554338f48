"""Uncertainty helpers shared by every metric: a standard error and a bootstrap interval.

Both are pure and seeded so that a rerun of the same outcomes reports the same numbers.
"""

import math
from collections.abc import Callable, Sequence

import numpy as np
import numpy.typing as npt

from harness.errors import HarnessError


def mean_stderr(values: Sequence[float]) -> float | None:
    """Standard error of the mean: sample std (ddof=1) / sqrt(n), as lm-eval's ``mean_stderr``.

    Returns None for fewer than two values, where the sample std is undefined (lm-eval would
    divide by zero).
    """
    n = len(values)
    if n < 2:
        return None
    std = float(np.std(np.asarray(values, dtype=np.float64), ddof=1))
    return std / math.sqrt(n)


def bootstrap_ci(
    items: Sequence[float] | npt.NDArray[np.float64],
    statistic: Callable[[npt.NDArray[np.float64]], float],
    *,
    n_resamples: int = 1000,
    confidence: float = 0.95,
    seed: int = 0,
) -> tuple[float, float]:
    """Percentile bootstrap interval of ``statistic`` over ``items``.

    Each resample draws ``len(items)`` item indices with replacement from
    ``numpy.random.default_rng(seed)`` and applies ``statistic`` to those rows of
    ``np.asarray(items)`` (rows, so a 2-D array of per-item sufficient statistics works as
    well as a vector of item values). Resampling items, not tokens, respects that items are
    the independent unit. The same seed always gives the same interval.
    """
    if n_resamples < 1:
        raise HarnessError(
            f"n_resamples must be at least 1, got {n_resamples}; pass a positive count "
            "(or skip the bootstrap)"
        )
    if not 0.0 < confidence < 1.0:
        raise HarnessError(
            f"confidence must lie strictly between 0 and 1, got {confidence}; use e.g. 0.95"
        )
    data = np.asarray(items, dtype=np.float64)
    n = len(data)
    if n == 0:
        raise HarnessError("cannot bootstrap an empty set of items; evaluate at least one item")
    rng = np.random.default_rng(seed)
    estimates = np.empty(n_resamples, dtype=np.float64)
    for r in range(n_resamples):
        estimates[r] = statistic(data[rng.integers(0, n, size=n)])
    tail = 100.0 * (1.0 - confidence) / 2.0
    low, high = np.percentile(estimates, [tail, 100.0 - tail])
    return float(low), float(high)
