"""Magnitude pruning of a parent, with an optional short recovery fine-tune on DialogSum.

``magnitude`` zeroes the smallest weights of every Linear layer but the LM head (the
shapes stay, so the model is sparse, not smaller); ``mlp-channels`` removes whole MLP
channels, so ``intermediate_size`` and the parameter count really shrink. A recovery
fine-tune of ``prune.recovery_steps`` steps lets the remaining weights make up for the
lost ones; for magnitude pruning a mask is re-applied after every optimizer step, so the
pruned weights stay exactly zero and the stated sparsity still holds afterwards.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Annotated, Any, Literal

import torch
from pydantic import Field
from transformers import TrainerCallback

from harness.compression import PruningReport, magnitude_prune, prune_mlp_channels, weight_sparsity
from harness.training.examples import Example, examples_hash, sft_examples
from harness.training.sections import RecipeConfig, Section, SFTData
from harness.training.session import RecipeSession
from harness.training.trainer import TrainingOutcome, train_sft, untrained
from harness.training.weights import full_model, weights_on_disk

if TYPE_CHECKING:
    from harness.registry import Variant
    from harness.training.run_dir import RunDir


class PruneSettings(Section):
    method: Literal["magnitude", "mlp-channels"] = "magnitude"
    sparsity: Annotated[float, Field(ge=0, lt=1)] = 0.3  # share zeroed / MLP channels removed
    recovery_steps: Annotated[int, Field(ge=0)] = 0  # short DialogSum fine-tune afterwards


class Config(RecipeConfig):
    prune: PruneSettings = Field(default_factory=PruneSettings)
    data: SFTData = Field(default_factory=SFTData)  # for the recovery fine-tune


def train(session: RecipeSession[Config]) -> Variant:
    """Prune the parent (smallest weights zeroed, or whole MLP channels removed), then
    optionally fine-tune on DialogSum to recover; registers a ``pruned`` variant with the
    sparsity, parameter counts and disk bytes (0 trainable parameters without recovery)."""
    config = session.config
    settings = config.prune
    run = session.run_dir()
    started = time.perf_counter()
    parent, loaded = session.load_parent()
    model = full_model(loaded.model, parent.name)
    report = prune(model, settings.method, settings.sparsity)
    print(
        f"{report.method} pruning at {report.target:.0%}: sparsity {report.sparsity:.4f}, "
        f"parameters {report.parameters_before:,} -> {report.parameters_after:,}"
    )
    examples: list[Example] = []
    if settings.recovery_steps > 0:
        examples = sft_examples(config.data, loaded.tokenizer)
        session.seed_everything()
        outcome = recover(session, model, loaded.tokenizer, examples, run, report.method)
        model = outcome.model
    else:
        outcome = untrained(model, time.perf_counter() - started)
    # Saved here first to measure the folder; registering writes the same files again.
    with session.world.main_first():  # one process writes it, every process measures it
        if session.world.is_main:
            model.save_pretrained(str(run.root / "model"))
    details: dict[str, Any] = {
        "method": settings.method,
        "target": report.target,
        "sparsity_after_pruning": report.sparsity,
        "sparsity": weight_sparsity(model),
        "parameters_before": report.parameters_before,
        "parameters_after": report.parameters_after,
        "intermediate_size": getattr(model.config, "intermediate_size", None),
        "disk_bytes": weights_on_disk(run.root / "model"),
        "recovery_steps": outcome.steps,
        "examples": len(examples),
    }
    return session.register(
        kind="pruned",
        parent=parent,
        model=model,
        tokenizer=loaded.tokenizer,
        run=run,
        data_hash=examples_hash(examples),
        outcome=outcome,
        details=details,
    )


def prune(model: Any, method: str, sparsity: float) -> PruningReport:
    """Prune ``model`` in place: unstructured by magnitude, or whole MLP channels."""
    if method == "magnitude":
        return magnitude_prune(model, sparsity)
    return prune_mlp_channels(model, sparsity)


def recover(
    session: RecipeSession[Config],
    model: Any,
    tokenizer: Any,
    examples: list[Example],
    run: RunDir,
    method: str,
) -> TrainingOutcome:
    """``prune.recovery_steps`` steps of DialogSum fine-tuning; pruned zeros kept at zero."""
    config = session.config
    settings = config.train.model_copy(update={"max_steps": config.prune.recovery_steps})
    callbacks: list[Any] = list(session.callbacks)
    if method.startswith("magnitude"):
        callbacks.append(KeepPruned(model))
    return train_sft(
        model,
        tokenizer,
        examples,
        settings=settings,
        max_length=config.data.max_length,
        run=run,
        seed=config.seed,
        description=f"{session.recipe} {session.name} (recovery)",
        callbacks=callbacks,
    )


class KeepPruned(TrainerCallback):
    """Re-zero the pruned weights after every optimizer step.

    Masking the gradient would not be enough: AdamW's weight decay and momentum move a
    zero weight even when its gradient is zero. The masks are found by module name at
    each step, so they follow the model to whatever device the Trainer puts it on.
    """

    def __init__(self, model: Any) -> None:
        self.masks = {
            name: module.weight.detach() != 0
            for name, module in model.named_modules()
            if isinstance(module, torch.nn.Linear) and bool((module.weight == 0).any())
        }

    @torch.no_grad()
    def apply(self, model: Any) -> None:
        for name, module in model.named_modules():
            mask = self.masks.get(name)
            if mask is not None:
                module.weight.mul_(mask.to(module.weight.device))

    def on_optimizer_step(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        model = kwargs.get("model")
        if model is not None:
            self.apply(model)
