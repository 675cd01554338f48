"""Metrics defined on the whole set that are not sums: MCC, F1, correlations.

Each item contributes one row (for example predicted and gold label); the metric is a
statistic of the row matrix. The bootstrap resamples rows and recomputes the statistic,
as for corpus metrics, but without needing additive statistics (Spearman's ranks are not).
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from harness.metrics.base import Metric, bootstrap_result, no_items
from harness.metrics.outcome import ItemOutcome
from harness.metrics.result import MetricResult

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
            raise no_items(self.name)
        return bootstrap_result(
            self.name,
            self.rows(outcomes),
            self.statistic,
            higher_is_better=self.higher_is_better,
            seed=seed,
            n_resamples=n_resamples,
        )
