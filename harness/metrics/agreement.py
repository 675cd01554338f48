"""Self-consistency's agreement rate: the share of sampled answers that match the voted one.

High agreement with a wrong answer is confident error; low agreement says the vote was
close. Reported as the mean over items, from each item's ``agreement``.
"""

from __future__ import annotations

from harness.metrics.base import MeanMetric, missing_field
from harness.metrics.outcome import ItemOutcome
from harness.metrics.registry import register_metric


@register_metric("agreement")
class Agreement(MeanMetric):
    """Mean share of an item's samples that gave its majority answer (tasks with ``vote``)."""

    name = "agreement"
    higher_is_better = True
    output_types = frozenset({"generate_until"})

    def item_value(self, outcome: ItemOutcome) -> float:
        if outcome.agreement is None:
            raise missing_field(self.name, "agreement", "generate_until with vote: majority")
        return outcome.agreement
