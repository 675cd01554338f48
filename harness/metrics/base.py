"""What a metric is, and the two ways metrics turn item outcomes into one result.

Mean metrics score each item and average (with a standard error and a bootstrap CI).
Corpus metrics are defined on the whole set (BLEU, perplexity), so they reduce each item
to additive sufficient statistics, score the column sums, and bootstrap by resampling
rows; no per-item value or standard error exists for them.
"""

import math
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from harness.errors import HarnessError
from harness.metrics.outcome import ItemOutcome
from harness.metrics.result import MetricResult
from harness.metrics.stats import bootstrap_ci, mean_stderr

OUTPUT_TYPES: frozenset[str] = frozenset(
    {"multiple_choice", "generate_until", "loglikelihood", "loglikelihood_rolling"}
)


class Metric(ABC):
    """A named scoring rule for the outcomes of one task.

    ``output_types`` lists the request kinds whose outcomes carry the fields this metric
    reads, so a task config can be checked before anything runs.
    """

    name: str
    higher_is_better: bool
    output_types: frozenset[str]

    @abstractmethod
    def item_value(self, outcome: ItemOutcome) -> float | None:
        """The item's own score, or None for corpus-only metrics."""

    @abstractmethod
    def summarize(
        self, outcomes: Sequence[ItemOutcome], *, seed: int = 0, n_resamples: int = 1000
    ) -> MetricResult:
        """The task-level result over all outcomes."""


def ci_extra(seed: int, n_resamples: int) -> dict[str, str]:
    """Provenance of a bootstrap CI, so a reader can reproduce it."""
    return {"ci_method": "bootstrap", "ci_resamples": str(n_resamples), "ci_seed": str(seed)}


def no_items(name: str) -> HarnessError:
    """The error for a metric asked to summarize nothing."""
    return HarnessError(
        f"metric '{name}' has no items to summarize; check that the task produced outcomes"
    )


def bootstrap_result(
    name: str,
    rows: Any,
    statistic: Callable[[Any], float],
    *,
    higher_is_better: bool,
    seed: int,
    n_resamples: int,
    stderr: float | None = None,
    extra: Mapping[str, str] | None = None,
) -> MetricResult:
    """``statistic(rows)`` with a bootstrap CI over the rows (one row per item).

    The CI is None for fewer than two rows (a one-item bootstrap only repeats the item),
    when ``n_resamples`` is 0 (how a caller turns the bootstrap off), and when a resample
    has no finite statistic (a correlation of one repeated item).
    """
    notes = dict(extra or {})
    ci_low: float | None = None
    ci_high: float | None = None
    if len(rows) >= 2 and n_resamples > 0:
        low, high = bootstrap_ci(rows, statistic, n_resamples=n_resamples, seed=seed)
        if math.isfinite(low) and math.isfinite(high):
            ci_low, ci_high = low, high
            notes.update(ci_extra(seed, n_resamples))
    return MetricResult(
        name=name,
        value=statistic(rows),
        stderr=stderr,
        ci_low=ci_low,
        ci_high=ci_high,
        n=len(rows),
        higher_is_better=higher_is_better,
        extra=notes,
    )


def _mean(rows: npt.NDArray[np.float64]) -> float:
    return float(rows.mean())


def summarize_mean(
    name: str,
    values: Sequence[float],
    higher_is_better: bool,
    *,
    seed: int = 0,
    n_resamples: int = 1000,
) -> MetricResult:
    """Mean of item values with its standard error and a bootstrap CI of the mean.

    The CI is None for fewer than two items (a one-item bootstrap only repeats the item) or
    when ``n_resamples`` is 0, which is how a caller turns the bootstrap off.
    """
    if len(values) == 0:
        raise no_items(name)
    return bootstrap_result(
        name,
        np.asarray(values, dtype=np.float64),
        _mean,
        higher_is_better=higher_is_better,
        seed=seed,
        n_resamples=n_resamples,
        stderr=mean_stderr(values),
    )


class MeanMetric(Metric):
    """A metric whose task value is the mean of its item values."""

    @abstractmethod
    def item_value(self, outcome: ItemOutcome) -> float:
        """The item's score; raises HarnessError when the outcome lacks a needed field."""

    def summarize(
        self, outcomes: Sequence[ItemOutcome], *, seed: int = 0, n_resamples: int = 1000
    ) -> MetricResult:
        values = [self.item_value(outcome) for outcome in outcomes]
        return summarize_mean(
            self.name, values, self.higher_is_better, seed=seed, n_resamples=n_resamples
        )


@dataclass(frozen=True)
class CorpusStatistics:
    """Per-item additive statistics and the rule that turns their column sums into a score.

    ``rows`` has one row per item; ``score(rows.sum(axis=0))`` is the corpus value, and the
    same rule on resampled rows gives each bootstrap replicate.
    """

    rows: npt.NDArray[np.float64]
    score: Callable[[npt.NDArray[np.float64]], float]
    extra: Mapping[str, str] = field(default_factory=dict)

    def score_rows(self, rows: npt.NDArray[np.float64]) -> float:
        """The score of a (possibly resampled) set of rows."""
        return self.score(rows.sum(axis=0))


class CorpusMetric(Metric):
    """A metric defined on the whole set, computed from per-item sufficient statistics."""

    def item_value(self, outcome: ItemOutcome) -> None:
        """Corpus metrics have no per-item value."""
        return None

    @abstractmethod
    def corpus_statistics(self, outcomes: Sequence[ItemOutcome]) -> CorpusStatistics:
        """The per-item statistics of ``outcomes`` (at least one) and their scoring rule."""

    def summarize(
        self, outcomes: Sequence[ItemOutcome], *, seed: int = 0, n_resamples: int = 1000
    ) -> MetricResult:
        if len(outcomes) == 0:
            raise no_items(self.name)
        stats = self.corpus_statistics(outcomes)
        return bootstrap_result(
            self.name,
            stats.rows,
            stats.score_rows,
            higher_is_better=self.higher_is_better,
            seed=seed,
            n_resamples=n_resamples,
            extra=stats.extra,
        )


def missing_field(metric: str, field_name: str, output_type: str) -> HarnessError:
    """The error for an outcome that lacks a field a metric reads."""
    return HarnessError(
        f"metric '{metric}' needs the item field '{field_name}', which this item lacks; "
        f"use '{metric}' only with {output_type} tasks"
    )
