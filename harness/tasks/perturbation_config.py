"""The ``perturbations`` key of a task: which perturbed copies each item also runs.

    perturbations:
      fields: [passage, question]        # doc fields transformed before templating
      robustness: [lowercase, contractions, typos, extra_spaces]
      fairness: [pronoun_swap, name_swap, dialect]
      seed: 1234

Only the listed document fields change; the description, the few-shot exemplars and the
answer choices stay as they are (as in HELM, which perturbs the instance, not the prompt).
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator

from harness.metrics.perturbed_outcome import Family
from harness.tasks.perturbations import PERTURBATIONS


class PerturbationConfig(BaseModel):
    """Perturbed copies of every item, by family, seeded per item."""

    model_config = ConfigDict(extra="forbid")

    fields: list[str] = Field(min_length=1)
    robustness: list[str] = Field(default_factory=list)
    fairness: list[str] = Field(default_factory=list)
    seed: int = 1234

    @field_validator("robustness", "fairness")
    @classmethod
    def _known(cls, names: list[str], info: object) -> list[str]:
        family = getattr(info, "field_name", "")
        for name in names:
            if name not in PERTURBATIONS or PERTURBATIONS[name][0] != family:
                known = ", ".join(n for n, (f, _) in PERTURBATIONS.items() if f == family)
                raise ValueError(f"unknown {family} perturbation '{name}'; known: {known}")
        return names

    def planned(self) -> list[tuple[Family, str]]:
        """(family, perturbation) for every copy, robustness first, in the listed order."""
        return [("robustness", n) for n in self.robustness] + [
            ("fairness", n) for n in self.fairness
        ]
