"""lm-eval's metrics with the settings an lm-eval task file gives them.

Our registered metrics take no arguments; an lm-eval ``metric_list`` entry can (``exact_match``
with ``ignore_case``, ``ignore_punctuation``, ``regexes_to_ignore``), or replace the
aggregation with its own function (CB's ``f1`` aggregated by ``!function
aggregate.cb_multi_fi``). These metrics call lm-eval's own functions rather than copy them,
so a task scores as it does under lm_eval; they are built by ``harness.tasks.lm_eval_task``,
never looked up by name.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from harness.errors import HarnessError
from harness.metrics.base import MeanMetric, Metric, missing_field
from harness.metrics.classification import predicted_label
from harness.metrics.outcome import ItemOutcome
from harness.metrics.result import MetricResult
from harness.metrics.row_metric import RowMetric, Rows

NO_FILTER = "none"  # lm-eval's name for the answer as generated (its default pipeline)


def filtered_metric_name(metric: str, filter_name: str) -> str:
    """lm-eval's ``exact_match,strict-match`` key as our metric name; ``acc,none`` is ``acc``."""
    return metric if filter_name == NO_FILTER else f"{metric},{filter_name}"


class LmEvalExactMatch(MeanMetric):
    """lm-eval's ``exact_match`` (its hf-evaluate port) with the task's keyword arguments.

    With several references (a target list), the item scores 1 when any reference matches,
    as lm-eval's ``process_results`` does.
    """

    output_types = frozenset({"generate_until"})

    def __init__(self, name: str, higher_is_better: bool, **kwargs: Any) -> None:
        self.name = name
        self.higher_is_better = higher_is_better
        self.kwargs = kwargs

    def item_value(self, outcome: ItemOutcome) -> float:
        from lm_eval.api.metrics import exact_match_hf_evaluate

        if outcome.prediction is None:
            raise missing_field(self.name, "prediction", "generate_until")
        if not outcome.references:
            raise missing_field(self.name, "references", "generate_until")
        refs = list(outcome.references)
        score = exact_match_hf_evaluate(
            predictions=[outcome.prediction] * len(refs), references=refs, **self.kwargs
        )["exact_match"]
        return 1.0 if float(score) > 0.0 else 0.0


class LmEvalLabelAggregate(RowMetric):
    """A multiple-choice metric whose items are (gold, predicted) pairs, aggregated by a
    function the task names (lm-eval's ``f1``/``mcc`` items with a custom ``aggregation``)."""

    output_types = frozenset({"multiple_choice"})

    def __init__(
        self, name: str, higher_is_better: bool, aggregate: Callable[[list[Any]], float]
    ) -> None:
        self.name = name
        self.higher_is_better = higher_is_better
        self.aggregate = aggregate

    def rows(self, outcomes: Sequence[ItemOutcome]) -> Rows:
        return np.asarray([predicted_label(o, self.name) for o in outcomes], dtype=np.float64)

    def statistic(self, rows: Rows) -> float:
        pairs = [(int(gold), int(pred)) for pred, gold, _ in rows]
        return float(self.aggregate(pairs))


class FilteredMetric(Metric):
    """A metric on the answers of one of the task's named filter pipelines.

    lm-eval runs every ``filter_list`` pipeline on the same generations and scores each
    pipeline's answers with every metric, reporting ``exact_match,strict-match`` beside
    ``exact_match,flexible-extract``; this is one such pair of metric and pipeline.
    """

    def __init__(self, inner: Metric, filter_name: str) -> None:
        self.inner = inner
        self.filter_name = filter_name
        self.name = filtered_metric_name(inner.name, filter_name)
        self.higher_is_better = inner.higher_is_better
        self.output_types = inner.output_types

    def _answer(self, outcome: ItemOutcome) -> ItemOutcome:
        if self.filter_name not in outcome.filtered:
            raise HarnessError(
                f"metric '{self.name}': the item has no answer from filter pipeline "
                f"'{self.filter_name}' (has: {', '.join(outcome.filtered) or 'none'})"
            )
        return dataclasses.replace(outcome, prediction=outcome.filtered[self.filter_name])

    def item_value(self, outcome: ItemOutcome) -> float | None:
        return self.inner.item_value(self._answer(outcome))

    def summarize(
        self, outcomes: Sequence[ItemOutcome], *, seed: int = 0, n_resamples: int = 1000
    ) -> MetricResult:
        result = self.inner.summarize(
            [self._answer(o) for o in outcomes], seed=seed, n_resamples=n_resamples
        )
        return dataclasses.replace(result, name=self.name)
