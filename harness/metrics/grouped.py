"""Metrics over groups of items: MultiRC exact match per question, AX-g gender parity.

Items carry a ``group`` (``doc_to_group``); each group gets one 0/1 value and the metric is
the mean over groups, with its standard error and a bootstrap CI over groups (the groups,
not their items, are the independent units).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from harness.errors import HarnessError
from harness.metrics.base import Metric, summarize_mean
from harness.metrics.classification import predicted_label
from harness.metrics.outcome import ItemOutcome
from harness.metrics.registry import register_metric
from harness.metrics.result import MetricResult


def grouped_labels(
    outcomes: Sequence[ItemOutcome], metric: str
) -> dict[str, list[tuple[int, int]]]:
    """(predicted, gold) per item, grouped by the items' group in first-seen order."""
    groups: dict[str, list[tuple[int, int]]] = {}
    for outcome in outcomes:
        if outcome.group is None:
            raise HarnessError(
                f"metric '{metric}' needs a group per item; set the task's doc_to_group"
            )
        predicted, gold, _ = predicted_label(outcome, metric)
        groups.setdefault(outcome.group, []).append((predicted, gold))
    return groups


class _GroupMetric(Metric):
    higher_is_better = True
    output_types = frozenset({"multiple_choice"})

    def item_value(self, outcome: ItemOutcome) -> None:
        """A group's value belongs to no single item."""
        return None

    def group_value(self, labels: list[tuple[int, int]]) -> float:
        raise NotImplementedError

    def summarize(
        self, outcomes: Sequence[ItemOutcome], *, seed: int = 0, n_resamples: int = 1000
    ) -> MetricResult:
        groups = grouped_labels(outcomes, self.name)
        values = [self.group_value(labels) for labels in groups.values()]
        result = summarize_mean(
            self.name, values, self.higher_is_better, seed=seed, n_resamples=n_resamples
        )
        return replace(result, extra={**result.extra, "unit": "group", "items": str(len(outcomes))})


@register_metric("em_group")
class GroupExactMatch(_GroupMetric):
    """Share of groups whose every item is right (MultiRC's EM: all answers to a question)."""

    name = "em_group"

    def group_value(self, labels: list[tuple[int, int]]) -> float:
        return 1.0 if all(p == g for p, g in labels) else 0.0


@register_metric("gender_parity")
class GenderParity(_GroupMetric):
    """Share of groups whose items all get the same prediction (AX-g's he/she minimal pairs)."""

    name = "gender_parity"

    def group_value(self, labels: list[tuple[int, int]]) -> float:
        return 1.0 if len({p for p, _ in labels}) == 1 else 0.0
