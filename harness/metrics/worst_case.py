"""Robustness and fairness as HELM scores them: the worst case per instance.

An item's robustness value for metric M is the worst of M on the original and on each of
its robustness copies (lowercase, typos, ...); fairness likewise over its fairness copies
(pronoun swap, name swap, dialect). The task value is the mean over items, so it is at most
M's own mean, and the gap says how much the perturbations cost.

Registers ``<metric>_robustness`` and ``<metric>_fairness`` for each per-item metric in
``WORST_CASE_BASES``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from functools import partial

from harness.errors import HarnessError
from harness.metrics.base import MeanMetric
from harness.metrics.outcome import ItemOutcome
from harness.metrics.perturbed_outcome import FAMILIES, Family, PerturbedOutcome
from harness.metrics.registry import get_metric, register_metric
from harness.metrics.result import MetricResult

# Per-item metrics whose worst case is meaningful: accuracy-type and similarity-type scores.
WORST_CASE_BASES = (
    "acc",
    "acc_norm",
    "exact_match",
    "rouge1",
    "rouge2",
    "rougeL",
    "rougeLsum",
    "bleu_acc",
    "rouge1_acc",
    "rouge2_acc",
    "rougeL_acc",
    "bleu_max",
    "rougeL_max",
)


def worst_case(values: Sequence[float], higher_is_better: bool) -> float:
    """The worst of an item's values (the minimum when higher is better)."""
    return min(values) if higher_is_better else max(values)


class WorstCaseMetric(MeanMetric):
    """Mean over items of the worst of ``base`` on the original and the family's copies."""

    def __init__(self, base: MeanMetric, family: Family) -> None:
        self.base = base
        self.family = family
        self.name = f"{base.name}_{family}"
        self.higher_is_better = base.higher_is_better
        self.output_types = base.output_types

    def copies(self, outcome: ItemOutcome) -> list[ItemOutcome]:
        """The outcomes of the item's copies in this metric's family."""
        copies = outcome.family(self.family) if isinstance(outcome, PerturbedOutcome) else []
        if not copies:
            raise HarnessError(
                f"metric '{self.name}' needs {self.family} copies of every item; "
                f"list perturbations under the task's perturbations.{self.family}"
            )
        return [c.outcome for c in copies]

    def item_value(self, outcome: ItemOutcome) -> float:
        values = [self.base.item_value(o) for o in [outcome, *self.copies(outcome)]]
        return worst_case(values, self.higher_is_better)

    def summarize(
        self, outcomes: Sequence[ItemOutcome], *, seed: int = 0, n_resamples: int = 1000
    ) -> MetricResult:
        result = super().summarize(outcomes, seed=seed, n_resamples=n_resamples)
        # The mean under each single perturbation, so a reader sees which one costs most.
        per_perturbation: dict[str, list[float]] = {}
        for outcome in outcomes:
            assert isinstance(outcome, PerturbedOutcome)  # copies() checked it
            for copy in outcome.family(self.family):
                per_perturbation.setdefault(copy.perturbation, []).append(
                    self.base.item_value(copy.outcome)
                )
        means = {f"mean_{k}": f"{sum(v) / len(v):.6f}" for k, v in per_perturbation.items()}
        return replace(result, extra={**result.extra, **means})


def _worst_case(base: str, family: Family) -> WorstCaseMetric:
    metric = get_metric(base)
    assert isinstance(metric, MeanMetric), f"{base} has no per-item value"
    return WorstCaseMetric(metric, family)


for _base in WORST_CASE_BASES:
    for _family in FAMILIES:
        register_metric(f"{_base}_{_family}")(partial(_worst_case, _base, _family))
