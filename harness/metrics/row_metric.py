"""Metrics defined on the whole set that are not sums: MCC, F1, correlations.

Each item contributes one row (for example predicted and gold label); the metric is a
statistic of the row matrix. The bootstrap resamples rows and recomputes the statistic,
as for corpus metrics, but without needing additive statistics (Spearman's ranks are not).
"""

from __future__ import annotations

import math
from abc import abstractmethod
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from harness.errors import HarnessError
from harness.metrics.base import Metric, ci_extra
from harness.metrics.outcome import ItemOutcome
from harness.metrics.result import MetricResult
from harness.metrics.stats import bootstrap_ci

Rows = npt.NDArray[np.float64]


class RowMetric(Metric):
    """A statistic of per-item rows; no per-item value, bootstrap CI over items."""

    def item_value(self, outcome: ItemOutcome) -> None:
        """Set-level metrics have no per-item value."""
        return None

    @abstractmethod
    def rows(self, outcomes: Sequence[ItemOutcome]) -> Rows:
        """One row per outcome."""

    @abstractmethod
    def statistic(self, rows: Rows) -> float:
        """The metric on a (possibly resampled) row matrix."""

    def summarize(
        self, outcomes: Sequence[ItemOutcome], *, seed: int = 0, n_resamples: int = 1000
    ) -> MetricResult:
        if len(outcomes) == 0:
            raise HarnessError(
                f"metric '{self.name}' has no items to summarize; check that the task produced outcomes"
            )
        rows = self.rows(outcomes)
        ci_low: float | None = None
        ci_high: float | None = None
        extra: dict[str, str] = {}
        if len(rows) >= 2 and n_resamples > 0:
            low, high = bootstrap_ci(rows, self.statistic, n_resamples=n_resamples, seed=seed)
            # A degenerate resample (one repeated item) has no correlation; no CI then.
            if math.isfinite(low) and math.isfinite(high):
                ci_low, ci_high = low, high
                extra = ci_extra(seed, n_resamples)
        return MetricResult(
            name=self.name,
            value=self.statistic(rows),
            stderr=None,
            ci_low=ci_low,
            ci_high=ci_high,
            n=len(outcomes),
            higher_is_better=self.higher_is_better,
            extra=extra,
        )
