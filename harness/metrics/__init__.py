"""Metrics: per-item scores, their task-level summaries, and averages across tasks.

Each metric module registers its metrics where it defines them (``@register_metric``);
``get_metric(name)`` imports every module of this package on first use, so adding a
metric is adding one file here.
"""

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
