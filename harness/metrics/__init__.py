"""Metrics: per-item scores, their task-level summaries, and averages across tasks.

Importing the package registers every built-in metric; ``get_metric(name)`` returns one.
"""

from harness.metrics import (  # noqa: F401  (imported to register their metrics)
    bias,
    calibration,
    choice,
    classification,
    correlation,
    exact_match,
    grouped,
    perplexity,
    representation,
    rouge,
    sacrebleu_metrics,
    toxicity,
    truthfulness,
    worst_case,
)
from harness.metrics.aggregate import macro_average, micro_average
from harness.metrics.base import CorpusMetric, CorpusStatistics, MeanMetric, Metric
from harness.metrics.outcome import ItemOutcome
from harness.metrics.registry import get_metric, known_metrics, register_metric
from harness.metrics.result import MetricResult
from harness.metrics.stats import bootstrap_ci, mean_stderr

__all__ = [
    "CorpusMetric",
    "CorpusStatistics",
    "ItemOutcome",
    "MeanMetric",
    "Metric",
    "MetricResult",
    "bootstrap_ci",
    "get_metric",
    "known_metrics",
    "macro_average",
    "mean_stderr",
    "micro_average",
    "register_metric",
]
