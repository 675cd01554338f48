"""recall@k of retrieval: whether the gold passage is among the k passages retrieved first.

With one gold passage per question (BoolQ), recall@k is the share of questions whose
passage is in the top k; each item scores 1 or 0.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial

from harness.errors import HarnessError
from harness.metrics.base import MeanMetric, missing_field
from harness.metrics.outcome import ItemOutcome
from harness.metrics.registry import register_metric


def recall_at_k(retrieved: Sequence[int], gold: int, k: int) -> float:
    """1.0 when ``gold`` is among the first ``k`` of ``retrieved``, else 0.0."""
    if k > len(retrieved):
        raise HarnessError(
            f"recall@{k} needs at least {k} retrieved passages per item, got {len(retrieved)}; "
            f"set the task's retrieve.k to {k} or more"
        )
    return 1.0 if gold in retrieved[:k] else 0.0


class RecallAtK(MeanMetric):
    """Share of items whose gold passage is in the top k retrieved (tasks with ``retrieve``)."""

    higher_is_better = True
    output_types = frozenset({"multiple_choice", "generate_until"})

    def __init__(self, k: int) -> None:
        self.k = k
        self.name = f"recall_at_{k}"

    def item_value(self, outcome: ItemOutcome) -> float:
        if outcome.retrieved is None or outcome.gold_passage is None:
            raise missing_field(self.name, "retrieved", "a task with retrieve")
        return recall_at_k(outcome.retrieved, outcome.gold_passage, self.k)


for _k in (1, 3, 5, 10):
    register_metric(f"recall_at_{_k}")(partial(RecallAtK, _k))
