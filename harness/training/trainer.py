"""Run a Trainer from a recipe's settings: checkpoints, resume, progress bar, loss curve.

Supervised recipes use trl's ``SFTTrainer`` on prompt/completion pairs, so the loss is
taken on the completion only; pre-training uses a plain ``transformers.Trainer``. Both
save a full checkpoint (weights, optimiser, scheduler, RNG states) every ``save_steps``,
and a re-run resumes from the newest one; with a fixed seed the resumed run ends on the
same weights as an uninterrupted one.
"""

from __future__ import annotations

import math
import os
import shutil
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from harness.errors import HarnessError
from harness.store.pause import PAUSE_ENV
from harness.training.callbacks import LossProgressBar, PauseAtStep, WallClock
from harness.training.examples import Example
from harness.training.run_dir import RunDir
from harness.training.sections import TrainSettings


@dataclass
class TrainingOutcome:
    """What a finished training run hands to the registry."""

    model: Any
    steps: int
    seconds: float
    curves: dict[str, list[dict[str, float]]]
    final_losses: dict[str, float] = field(default_factory=dict)


def untrained(model: Any, seconds: float) -> TrainingOutcome:
    """The outcome of a recipe that only transforms its parent (quantize, prune without
    recovery): every weight frozen, so the variant records 0 trainable parameters."""
    for parameter in model.parameters():
        parameter.requires_grad_(False)
    return TrainingOutcome(model=model, steps=0, seconds=seconds, curves={"loss": []})


def uses_cpu(settings: TrainSettings) -> bool:
    import torch

    if settings.device == "cuda" and not torch.cuda.is_available():
        raise HarnessError("train.device is cuda but no GPU is visible; use train.device=cpu")
    return settings.device == "cpu" or not torch.cuda.is_available()


def argument_values(settings: TrainSettings, run: RunDir, seed: int) -> dict[str, Any]:
    """The ``TrainingArguments`` keywords for ``settings``, shared by every recipe."""
    cpu = uses_cpu(settings)
    return {
        "output_dir": str(run.checkpoints),
        "num_train_epochs": settings.epochs,
        "max_steps": settings.max_steps,
        "per_device_train_batch_size": settings.batch_size,
        "gradient_accumulation_steps": settings.grad_accum,
        "learning_rate": settings.learning_rate,
        "lr_scheduler_type": settings.lr_scheduler,
        "warmup_steps": settings.warmup,
        "weight_decay": settings.weight_decay,
        "max_grad_norm": settings.max_grad_norm,
        "logging_steps": settings.logging_steps,
        "logging_first_step": True,
        "save_strategy": "steps",
        "save_steps": settings.save_steps,
        "save_total_limit": settings.save_total_limit,
        # transformers 5 renamed gradient checkpointing; trl's configs default it to on.
        "activation_checkpointing": settings.gradient_checkpointing,
        "seed": seed,
        "data_seed": seed,
        # The unfused AdamW: the same update on every machine, so resumed runs match.
        "optim": "adamw_torch",
        "use_cpu": cpu,
        "bf16": settings.bf16 and not cpu,
        "report_to": "none",
        "disable_tqdm": True,
        "dataloader_num_workers": 0,
    }


def train_sft(
    model: Any,
    tokenizer: Any,
    examples: Sequence[Example],
    *,
    settings: TrainSettings,
    max_length: int,
    run: RunDir,
    seed: int,
    description: str,
    callbacks: Sequence[Any] = (),
) -> TrainingOutcome:
    """Fine-tune ``model`` (a full model or a peft model) on prompt/completion ``examples``."""
    from datasets import Dataset, disable_progress_bars
    from trl import SFTConfig, SFTTrainer

    disable_progress_bars()  # per-example preprocessing bars would bury the training bar

    dataset = Dataset.from_list(
        [{"prompt": e.prompt, "completion": e.completion} for e in examples]
    )
    args = SFTConfig(
        **argument_values(settings, run, seed),
        max_length=max_length,
        packing=False,
        completion_only_loss=True,
    )
    trainer = SFTTrainer(model=model, args=args, train_dataset=dataset, processing_class=tokenizer)
    return run_trainer(trainer, run, description=description, callbacks=callbacks)


def run_trainer(
    trainer: Any,
    run: RunDir,
    *,
    description: str,
    callbacks: Sequence[Any] = (),
    evaluate: Callable[[Any], dict[str, float]] | None = None,
    curve_keys: Sequence[str] = (),
) -> TrainingOutcome:
    """Train (resuming from the newest checkpoint when there is one) and collect the curves.

    ``curve_keys`` names logged values kept as curves beside the loss (an RL run's reward
    and KL, say).
    """
    from transformers.trainer_callback import PrinterCallback, ProgressCallback
    from transformers.utils import logging as transformers_logging

    transformers_logging.disable_progress_bar()  # checkpoint-writing bars would break ours
    # trl 1.16 still asks transformers 5 for the deprecated name on every RL/DPO step.
    warnings.filterwarnings(
        "ignore", message=".*is_gradient_checkpointing.*is deprecated", category=FutureWarning
    )
    trainer.remove_callback(PrinterCallback)
    trainer.remove_callback(ProgressCallback)
    clock = WallClock(run.wall_clock)
    for callback in (clock, LossProgressBar(description), *callbacks):
        trainer.add_callback(callback)
    if os.environ.get(PAUSE_ENV):
        trainer.add_callback(PauseAtStep())
    check_shardable(trainer)
    resume = run.last_checkpoint()
    if resume is not None:
        print(f"resuming from {resume}")
    trainer.train(resume_from_checkpoint=resume)
    curves = loss_curves(trainer.state.log_history, curve_keys)
    final = {}
    if curves["loss"]:
        final["train_loss"] = curves["loss"][-1]["value"]
    if evaluate is not None:
        final.update(evaluate(trainer.model))
    return TrainingOutcome(
        model=whole_model(trainer, run),
        steps=int(trainer.state.global_step),
        seconds=clock.seconds,
        curves=curves,
        final_losses=final,
    )


def sharded(trainer: Any) -> bool:
    """Whether each process holds only a shard of the weights (FSDP, or DeepSpeed ZeRO-3)."""
    if getattr(trainer, "is_fsdp_enabled", False):
        return True
    plugin = getattr(trainer.accelerator.state, "deepspeed_plugin", None)
    return plugin is not None and plugin.zero_stage == 3


def check_shardable(trainer: Any) -> None:
    """Refuse an adapter under FSDP or ZeRO-3 before training: its final weights would have
    to be gathered onto a base model that is itself sharded."""
    from harness.registry.weights import is_peft_model

    if sharded(trainer) and is_peft_model(trainer.model):
        raise HarnessError(
            "adapter recipes (lora, prompt-tuning) shard nothing worth sharding under fsdp or "
            "zero3 here; use --accelerate-config multi-gpu, zero1 or zero2"
        )


def whole_model(trainer: Any, run: RunDir) -> Any:
    """The trained model with every weight in memory, for the main process to register.

    Under DDP or ZeRO-1/2 each process already holds all the weights. Under FSDP or ZeRO-3
    the Trainer's own save gathers the shards (every process takes part; FSDP configs with a
    full state dict, ZeRO-3 with ``zero3_save_16bit_model``, as trl's configs set them) and
    the main process reads the gathered folder back.
    """
    if not sharded(trainer):
        return trainer.model
    folder = run.root / "gathered"
    trainer.save_model(str(folder))
    if not trainer.accelerator.is_main_process:
        return trainer.model  # the others register nothing
    model = _model_class(trainer.model).from_pretrained(str(folder))
    shutil.rmtree(folder)  # in memory now; registering writes the variant's own folder
    return model


def _model_class(model: Any) -> Any:
    """The transformers class under FSDP2's wrapper class (``FSDPLlamaForCausalLM``)."""
    from transformers import PreTrainedModel

    for cls in type(model).__mro__:
        if issubclass(cls, PreTrainedModel) and not cls.__name__.startswith("FSDP"):
            return cls
    return type(model)


def loss_curves(
    log_history: list[dict[str, Any]], extra_keys: Sequence[str] = ()
) -> dict[str, list[dict[str, float]]]:
    """``{"loss": [{"step": s, "value": v}, ...]}`` from the Trainer's log (restored on resume),
    plus a curve for each of ``extra_keys`` that was logged."""
    curves: dict[str, list[dict[str, float]]] = {"loss": []}
    for entry in log_history:
        for key in ("loss", "eval_loss", *extra_keys):
            value = entry.get(key)
            if isinstance(value, int | float) and math.isfinite(value):
                curves.setdefault(key, []).append(
                    {"step": int(entry["step"]), "value": float(value)}
                )
    return curves
