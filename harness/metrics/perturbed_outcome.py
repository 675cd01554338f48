"""The outcome of an item that also ran perturbed copies of its prompt (HELM's robustness and
fairness), in the form the worst-case metrics read.

The copies themselves are built by ``harness.tasks.perturbed``; metrics only need to know
which family each copy belongs to and what it produced.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from harness.metrics.outcome import ItemOutcome

Family = Literal["robustness", "fairness"]
FAMILIES: tuple[Family, ...] = ("robustness", "fairness")


@dataclass(frozen=True)
class CopyOutcome:
    """What one perturbed copy produced, beside the perturbation that made it."""

    family: Family
    perturbation: str
    outcome: ItemOutcome


@dataclass(frozen=True)
class PerturbedOutcome(ItemOutcome):
    """An item's own outcome plus the outcomes of its perturbed copies (worst-case metrics)."""

    copies: tuple[CopyOutcome, ...] = field(default=())

    def family(self, family: Family) -> list[CopyOutcome]:
        """The copies of one family."""
        return [c for c in self.copies if c.family == family]


def with_copies(base: ItemOutcome, copies: Sequence[CopyOutcome]) -> PerturbedOutcome:
    """``base`` carrying its copies' outcomes."""
    values = {f.name: getattr(base, f.name) for f in dataclasses.fields(ItemOutcome)}
    return PerturbedOutcome(**values, copies=tuple(copies))
