"""lm-eval's metrics with the settings an lm-eval task file gives them.

Our registered metrics take no arguments; an lm-eval ``metric_list`` entry can (``exact_match``
with ``ignore_case``, ``ignore_punctuation``, ``regexes_to_ignore``), or replace the
aggregation with its own function (CB's ``f1`` aggregated by ``!function
aggregate.cb_multi_fi``). These metrics call lm-eval's own functions rather than copy them,
so a task scores as it does under lm_eval; they are built by ``harness.tasks.lm_eval_task``,
never looked up by name.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from harness.metrics.base import MeanMetric, missing_field
from harness.metrics.classification import predicted_label
from harness.metrics.outcome import ItemOutcome
from harness.metrics.row_metric import RowMetric, Rows


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
