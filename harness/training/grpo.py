"""Policy-gradient RL with a KL penalty (trl's GRPO or RLOO), for any reward function.

The machinery ``rl-detox`` (reward: our toxicity classifier) and the constitutional
recipe's ``rm-grpo`` stage (reward: a reward model fit to AI-labelled pairs) share.

trl 1.16 has no PPOTrainer. GRPO samples ``num_generations`` continuations per prompt,
takes each one's reward relative to its group as the advantage, and maximises the clipped
policy-gradient objective (PPO's ratio clipping at ``epsilon``) minus ``beta`` times a
per-token KL estimate to the reference; RLOO differs only in the advantage. With a LoRA
policy the reference is the starting model itself (the adapter switched off), so no second
copy is held; a full policy gets a frozen copy, which trl reloads from the folder the
policy was loaded from (:func:`ensure_reference_folder` makes sure that folder holds the
starting weights).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import Field

from harness.errors import HarnessError
from harness.registry.weights import is_peft_model
from harness.training.adapters import attach_lora
from harness.training.rl_prompts import RLPrompt
from harness.training.sections import LoraSettings, Section, TrainSettings

if TYPE_CHECKING:
    from harness.training.run_dir import RunDir
    from harness.training.trainer import TrainingOutcome

# Logged values kept as curves beside the loss.
RL_CURVES = (
    "reward",
    "kl",
    "completions/mean_length",
    "toxicity",
    "degenerate_share",
    "entropy",
)


class RLSettings(Section):
    """GRPO: sampled groups per prompt, clipped policy gradient, KL penalty to the start."""

    algorithm: Literal["grpo", "rloo"] = "grpo"
    policy: Literal["full", "lora"] = "lora"
    lora: LoraSettings = Field(default_factory=LoraSettings)
    beta: Annotated[float, Field(ge=0)] = 0.05  # KL coefficient; 0 disables the reference
    num_generations: Annotated[int, Field(ge=2)] = 4
    max_completion_tokens: Annotated[int, Field(ge=1)] = 24
    temperature: Annotated[float, Field(gt=0)] = 1.0
    epsilon: Annotated[float, Field(gt=0)] = 0.2
    # A completion counts as degenerate when shorter than this many words, or when one
    # token makes up more than ``max_repeat_share`` of it.
    min_words: Annotated[int, Field(ge=0)] = 3
    max_repeat_share: Annotated[float, Field(gt=0, le=1)] = 0.5
    # The reward a degenerate completion gets instead of its score (None: no guard, so
    # saying nothing scores whatever the reward makes of an empty answer).
    degenerate_reward: float | None = 0.0


def train_policy(
    model: Any,
    tokenizer: Any,
    prompts: Sequence[RLPrompt],
    reward: Callable[..., Any],
    *,
    rl: RLSettings,
    train: TrainSettings,
    seed: int,
    run: RunDir,
    description: str,
    callbacks: Sequence[Any] = (),
    fresh_reference: bool = False,
) -> TrainingOutcome:
    """RL of ``model`` on ``prompts`` with ``reward`` (a trl reward function); the KL is to
    ``model`` as it is now. ``fresh_reference``: the folder ``model`` was loaded from does not
    hold these weights (a merged adapter), so a full policy's reference is saved first.
    Seed torch first: LoRA's matrices start random."""
    from harness.training.trainer import run_trainer

    if rl.policy == "lora":
        model = attach_lora(model, rl.lora)
    elif rl.beta > 0:
        ensure_reference_folder(model, tokenizer, run.root / "reference", force=fresh_reference)
    trainer = _trainer(model, tokenizer, prompts, reward, rl, train, seed, run)
    return run_trainer(
        trainer, run, description=description, callbacks=callbacks, curve_keys=RL_CURVES
    )


def _trainer(
    model: Any,
    tokenizer: Any,
    prompts: Sequence[RLPrompt],
    reward: Callable[..., Any],
    rl: RLSettings,
    train: TrainSettings,
    seed: int,
    run: RunDir,
) -> Any:
    from datasets import Dataset, disable_progress_bars

    from harness.training.trainer import argument_values

    disable_progress_bars()
    values = argument_values(train, run, seed)
    # trl counts completions, not prompts: a step sees batch_size prompts x their samples.
    values["per_device_train_batch_size"] = train.batch_size * rl.num_generations
    shared = {
        **values,
        "num_generations": rl.num_generations,
        "max_completion_length": rl.max_completion_tokens,
        "temperature": rl.temperature,
        "beta": rl.beta,
        "epsilon": rl.epsilon,
        "log_completions": False,
    }
    dataset = Dataset.from_list([{"prompt": p.prompt, "source": p.source} for p in prompts])
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    import trl

    # The two trainers take the same arguments; only the advantage estimate differs.
    config_class, trainer_class = {
        "grpo": (trl.GRPOConfig, trl.GRPOTrainer),
        "rloo": (trl.RLOOConfig, trl.RLOOTrainer),
    }[rl.algorithm]
    return trainer_class(
        model=model,
        reward_funcs=[reward],
        args=config_class(**shared),
        train_dataset=dataset,
        processing_class=tokenizer,
    )


def ensure_reference_folder(model: Any, tokenizer: Any, folder: Path, *, force: bool) -> None:
    """trl rebuilds a full policy's frozen reference from the folder the policy was loaded
    from; a model built in memory (a random test model) or changed since it was loaded
    (``force``: a merged adapter) is saved to ``folder`` first, so that folder holds it."""
    source = getattr(model.config, "_name_or_path", "")
    if source and Path(source).is_dir() and not force:
        return
    if is_peft_model(model):
        raise HarnessError(
            "a full-policy RL run cannot start from an adapter variant; merge it first "
            "(lora.save_merged) or use rl.policy=lora"
        )
    model.save_pretrained(str(folder))
    tokenizer.save_pretrained(str(folder))
    model.config._name_or_path = str(folder)


def rl_summary(curves: dict[str, list[dict[str, float]]]) -> dict[str, float]:
    """First and last logged reward, and the last KL, length and degenerate share."""
    summary: dict[str, float] = {}
    for key, name in (
        ("reward", "reward"),
        ("kl", "kl"),
        ("completions/mean_length", "mean_length"),
        ("degenerate_share", "degenerate_share"),
        ("toxicity", "toxicity"),
    ):
        points = curves.get(key) or []
        if not points:
            continue
        summary[f"{name}_last"] = points[-1]["value"]
        if key == "reward":
            summary["reward_first"] = points[0]["value"]
    return summary


def prompts_hash(prompts: Sequence[RLPrompt]) -> str:
    """The variant's ``data_hash``: the prompts trained on, in order."""
    digest = hashlib.sha256()
    for prompt in prompts:
        digest.update(json.dumps([prompt.source, prompt.prompt]).encode())
    return digest.hexdigest()
