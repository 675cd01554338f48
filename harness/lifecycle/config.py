"""The lifecycle plan: a start model, named recipe steps with parents, and the evaluations.

``recipes/lifecycle.yaml`` holds it. Steps and evaluations are mappings keyed by name, so a
profile overrides one step's settings (``profiles.quick.steps.lora.set``) by merging, the
same way recipe profiles do. A step's ``set`` holds recipe-config overrides (dotted keys),
applied on top of the recipe's own profile of the same name.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

from pydantic import Field, ValidationError

from harness.errors import HarnessError, did_you_mean
from harness.paths import DEFAULT_MODEL
from harness.training.config import deep_merge, read_yaml, recipes_dir
from harness.training.sections import Section

START = "start"


class StepConfig(Section):
    """One variant: the recipe that makes it, its parent (a step name or ``start``), overrides."""

    recipe: str
    parent: str = START
    set: dict[str, Any] = Field(default_factory=dict)
    enabled: bool = True

    def overrides(self) -> list[str]:
        """The ``--set`` strings for :func:`harness.recipes.train_recipe` (values as JSON)."""
        return [f"{key}={json.dumps(value)}" for key, value in self.set.items()]


class EvalConfig(Section):
    """One suite every variant is evaluated on."""

    tasks: list[str] | None = None
    limit: Annotated[int | None, Field(ge=1)] = None
    batch_size: Annotated[int, Field(ge=1)] = 8


class LifecycleConfig(Section):
    name: str = "lifecycle"  # variant names are "<name>-<step>"
    start: str = DEFAULT_MODEL
    steps: dict[str, StepConfig] = Field(default_factory=dict)
    evaluate: dict[str, EvalConfig] = Field(default_factory=dict)
    summary_suite: str = "dialogsum"
    knowledge_suite: str = "mmlu"
    safety_suite: str | None = "toxicity"

    def variant_name(self, step: str) -> str:
        return f"{self.name}-{step}"


def load_lifecycle_config(
    *, config_file: str | Path | None = None, profile: str = "quick"
) -> LifecycleConfig:
    """The plan with ``profile`` merged in, checked: known recipes, parents defined earlier."""
    from harness.recipes import recipe_names

    path = Path(config_file) if config_file else recipes_dir() / "lifecycle.yaml"
    raw = read_yaml(path)
    profiles = raw.pop("profiles", None) or {}
    if profile not in profiles:
        raise HarnessError(
            f"{path}: no profile '{profile}'{did_you_mean(profile, profiles)}; "
            f"known: {', '.join(profiles) or 'none'}"
        )
    merged = deep_merge(raw, profiles[profile] or {})
    try:
        config = LifecycleConfig.model_validate(merged)
    except ValidationError as exc:
        first = exc.errors()[0]
        key = ".".join(str(p) for p in first["loc"])
        raise HarnessError(f"{path.name}: bad value for '{key}' ({first['msg']})") from None
    recipes = recipe_names()
    seen = {START}
    for step_name, step in config.steps.items():
        if step.recipe not in recipes:
            raise HarnessError(
                f"{path.name}: step '{step_name}' uses unknown recipe '{step.recipe}'"
                f"{did_you_mean(step.recipe, recipes)}; "
                f"known: {', '.join(recipes)}"
            )
        if step.parent not in seen:
            raise HarnessError(
                f"{path.name}: step '{step_name}' has parent '{step.parent}', which is not "
                "'start' or a step above it"
            )
        if step.enabled:
            seen.add(step_name)
    return config
