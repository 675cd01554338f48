"""One recipe run from start to registration: config identity, run folder, parent, variant.

Every recipe module reads top to bottom as: load the parent, build the examples, wrap the
model, train, register. This class holds the steps they share, so the recipe modules keep
only what makes each recipe different. It is generic in the recipe's config class
(``RecipeSession[Config]``), so mypy checks each recipe's use of its own config.

Under ``accelerate launch`` every process runs the recipe; the steps here that write (the
run folder, the parent's root entry, the final weights and the registry) run on the main
process, and the others wait for it and read what it wrote (:mod:`harness.training.distributed`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

from harness.errors import HarnessError
from harness.training.config import AnyRecipeConfig, config_dict, config_hash
from harness.training.distributed import World, current_world
from harness.training.run_dir import RunDir, prepare_run_dir
from harness.training.sections import TrainSettings

if TYPE_CHECKING:
    from harness.models.loaded import LoadedModel
    from harness.registry import Variant
    from harness.store import Location
    from harness.training.trainer import TrainingOutcome


class ParentConfig(AnyRecipeConfig, Protocol):
    """A config that starts from a parent model (every recipe but pre-training)."""

    @property
    def parent(self) -> str: ...


class TrainedConfig(ParentConfig, Protocol):
    """A config with the shared training loop settings."""

    @property
    def train(self) -> TrainSettings: ...


ConfigT = TypeVar("ConfigT", bound=AnyRecipeConfig)
# The self types of ``load_parent`` and ``fit``: the config fields each of them reads.
WithParent = TypeVar("WithParent", bound=ParentConfig)
WithTrain = TypeVar("WithTrain", bound=TrainedConfig)


@dataclass
class RecipeSession(Generic[ConfigT]):
    """A recipe, its resolved config and where its results go."""

    recipe: str
    config: ConfigT  # the recipe module's pydantic ``Config``
    profile: str
    store: Location
    restart: bool = False
    callbacks: Sequence[Any] = field(default_factory=tuple)
    world: World = field(default_factory=current_world)

    @property
    def name(self) -> str:
        return str(self.config.name)

    @property
    def batch(self) -> dict[str, int] | None:
        """Examples per optimiser step: per device x processes x accumulation (None when the
        recipe has no training loop)."""
        settings = getattr(self.config, "train", None)
        if not isinstance(settings, TrainSettings):
            return None
        per_device, accumulation = settings.batch_size, settings.grad_accum
        return {
            "per_device": per_device,
            "processes": self.world.size,
            "grad_accum": accumulation,
            "effective": per_device * self.world.size * accumulation,
        }

    @cached_property
    def values(self) -> dict[str, Any]:
        return config_dict(self.config)

    @cached_property
    def config_hash(self) -> str:
        return config_hash(self.config)

    def finished(self) -> Variant | None:
        """The variant this exact config already produced, if any; refuses a clashing name
        and one trained by another number of processes (its effective batch differs)."""
        from harness.registry import find_variant

        with self.world.main_first():  # the main process may create the store; then the rest read
            existing = find_variant(self.store, self.name)
        if existing is None or existing.name != self.name:
            return None
        if existing.config_hash != self.config_hash or existing.recipe != self.recipe:
            raise HarnessError(
                f"variant '{self.name}' is already registered from another config; "
                "pick another name with --set name=NEW"
            )
        if existing.path is None or not Path(existing.path).exists():
            return None  # registered but its files are gone: train it again
        # Variants from before ``details["batch"]`` was recorded were trained by one process.
        recorded = existing.details.get("batch", {}).get("processes", 1)
        trained = bool(existing.details.get("steps"))
        if trained and self.batch is not None and recorded != self.world.size:
            raise HarnessError(
                f"variant '{self.name}' was trained by {recorded} process(es) and this launch "
                f"has {self.world.size}, a different effective batch; pick another name with "
                "--set name=NEW or pass --restart"
            )
        return existing

    def run_dir(self) -> RunDir:
        """The variant's folder, prepared by the main process (the others wait for it)."""
        from harness.registry import variant_dir

        with self.world.main_first():
            if self.world.is_main:
                return prepare_run_dir(
                    self.name,
                    self.recipe,
                    self.values,
                    self.config_hash,
                    restart=self.restart,
                    processes=self.world.size,
                )
        return RunDir(variant_dir(self.name))

    def seed_everything(self) -> None:
        """Seed python, numpy and torch before anything random (adapter init, model init)."""
        from transformers import set_seed

        set_seed(int(self.config.seed))

    def load_parent(self: RecipeSession[WithParent]) -> tuple[Variant, LoadedModel]:
        """The parent registered (as a root when it is a source model) and loaded."""
        from harness.registry import ensure_root, load_variant

        with self.world.main_first():  # the main process registers the root; the rest find it
            parent = ensure_root(self.store, self.config.parent)
        return parent, load_variant(self.store, parent.variant_id)

    def fit(
        self: RecipeSession[WithTrain],
        model: Any,
        tokenizer: Any,
        examples: Sequence[Any],
        run: RunDir,
        *,
        max_length: int,
    ) -> TrainingOutcome:
        """Supervised fine-tuning of ``model`` on ``examples`` with this config's settings."""
        from harness.training.trainer import train_sft

        return train_sft(
            model,
            tokenizer,
            examples,
            settings=self.config.train,
            max_length=max_length,
            run=run,
            seed=self.config.seed,
            description=f"{self.recipe} {self.name}",
            callbacks=self.callbacks,
        )

    def register(
        self,
        *,
        kind: str,
        parent: Variant | None,
        model: Any,
        tokenizer: Any,
        run: RunDir,
        data_hash: str,
        outcome: TrainingOutcome,
        details: dict[str, Any] | None = None,
    ) -> Variant:
        """Save the final weights (a full model or a peft adapter), register, drop checkpoints.

        The main process does it all; every other process waits and returns what it
        registered (found by id: identical weights register as the variant that has them).
        """
        from harness.registry import (
            count_parameters,
            find_variant,
            hash_weights,
            new_variant,
            register_variant,
        )
        from harness.registry.weights import is_peft_model

        stored: Variant | None = None
        try:
            if self.world.is_main:
                adapter = is_peft_model(model)
                path = run.root / ("adapter" if adapter else "model")
                model.save_pretrained(str(path))
                if not adapter:
                    tokenizer.save_pretrained(str(path))
                total, trainable = count_parameters(model)
                variant = new_variant(
                    name=self.name,
                    kind=kind,
                    parent_id=parent.variant_id if parent is not None else None,
                    path=path,
                    recipe=self.recipe,
                    config=self.values,
                    data_hash=data_hash,
                    weights_hash=hash_weights(model),
                    total_params=total,
                    trainable_params=trainable,
                    training_seconds=round(outcome.seconds, 3),
                    final_losses=outcome.final_losses,
                    details={
                        "training": outcome.curves,
                        "steps": outcome.steps,
                        "profile": self.profile,
                        **({"batch": self.batch} if self.batch and outcome.steps else {}),
                        **(details or {}),
                    },
                )
                if parent is None:
                    # Trained from scratch: a root whose spec is its own folder, so it loads
                    # like one.
                    variant = dataclasses.replace(variant, spec=str(path))
                stored = register_variant(self.store, variant)
                run.discard_checkpoints()
        finally:  # also when the main process failed, so the others stop waiting
            variant_id = self.world.from_main(stored.variant_id if stored else None)
        if stored is not None:
            return stored
        registered = find_variant(self.store, variant_id) if variant_id else None
        if registered is None:
            raise HarnessError(f"the main process did not register '{self.name}'; see its error")
        return registered
