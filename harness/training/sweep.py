"""``harness train pretrain --sweep``: several model sizes at one token budget, and the fit.

Each size is an ordinary pre-training run (its own variant, resumable, skipped when it
already exists), so a sweep interrupted half-way picks up where it stopped. The points and
the fitted power law go to ``variants/<name>-sweep/scaling.json``.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, Self, TypeVar

from harness.errors import HarnessError
from harness.training.config import AnyRecipeConfig
from harness.training.scaling import PowerLaw, ScalingPoint, fit_power_law
from harness.training.sections import CorpusData, SweepSettings, TrainSettings
from harness.training.session import RecipeSession

if TYPE_CHECKING:
    from harness.registry import Variant


class SweepableConfig(AnyRecipeConfig, Protocol):
    """A pre-training config: its loop, its token blocks and the sizes to sweep."""

    @property
    def train(self) -> TrainSettings: ...

    @property
    def data(self) -> CorpusData: ...

    @property
    def sweep(self) -> SweepSettings: ...

    def model_copy(self, *, update: Mapping[str, Any] | None = ..., deep: bool = ...) -> Self: ...


Sweepable = TypeVar("Sweepable", bound=SweepableConfig)


@dataclass(frozen=True)
class SweepResult:
    points: list[ScalingPoint]
    law: PowerLaw
    variants: list[Variant]
    path: Path


def run_sweep(
    session: RecipeSession[Sweepable],
    train: Callable[[RecipeSession[Sweepable]], Variant],
) -> SweepResult:
    """Train every ``sweep.sizes`` model for ``sweep.tokens`` tokens and fit loss vs compute.

    ``train`` is the pre-training recipe's ``train``, run once per size.
    """
    from harness.registry import variant_dir

    config = session.config
    if len(config.sweep.sizes) < 2:
        raise HarnessError("a sweep needs at least two sizes under sweep.sizes in the config")
    per_step = (
        config.train.batch_size
        * config.train.grad_accum
        * session.world.size  # every process takes its own batches
        * config.data.block_size
    )
    steps = max(1, config.sweep.tokens // per_step)
    variants: list[Variant] = []
    for shape in config.sweep.sizes:
        child = config.model_copy(
            update={
                "name": f"{config.name}-h{shape.hidden}-l{shape.layers}",
                "model": shape,
                "train": config.train.model_copy(update={"max_steps": steps, "epochs": 1.0}),
            }
        )
        child_session = dataclasses.replace(session, config=child)
        variants.append(child_session.finished() or train(child_session))
    points = [
        ScalingPoint(
            name=v.name,
            params=int(v.details["non_embedding_params"]),
            tokens=int(v.details["tokens"]),
            loss=float(v.final_losses["eval_loss"]),
        )
        for v in variants
    ]
    law = fit_power_law(points)
    path = variant_dir(f"{config.name}-sweep") / "scaling.json"
    payload = {
        "points": [
            {**dataclasses.asdict(p), "flops": p.flops, "variant_id": v.variant_id}
            for p, v in zip(points, variants, strict=True)
        ],
        "fit": dataclasses.asdict(law),
        "formula": "eval_loss = coefficient * flops ** exponent; flops = 6 * params * tokens",
    }
    if session.world.is_main:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(payload, indent=2))
    return SweepResult(points=points, law=law, variants=variants, path=path)
