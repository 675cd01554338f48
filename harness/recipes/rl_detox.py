"""RL detoxification (the course's Lab 3): reward = our classifier's non-toxic score, with a
KL penalty to the frozen parent.

trl 1.16 has no PPOTrainer. This uses its GRPO trainer (or RLOO with ``rl.algorithm``):
for each prompt it samples ``num_generations`` continuations, takes each one's reward
relative to its group as the advantage, and maximises the clipped policy-gradient
objective (PPO's ratio clipping at ``epsilon``) minus ``beta`` times a per-token KL
estimate to the reference. With a LoRA policy the reference is the parent itself (the
adapter switched off), so no second copy of the model is held; a full policy gets a
frozen copy.

Logged per step (and kept as curves on the variant): mean reward, KL to the reference,
mean completion length, mean toxicity and the share of degenerate completions. The
highest-reward completions are kept in the variant's details for the reward-hacking
watch.
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
from harness.training.rewards import DegenerateRule, NonToxicReward
from harness.training.rl_prompts import RLPrompt, rl_prompts
from harness.training.sections import LoraSettings, RecipeConfig, RLPrompts, Section
from harness.training.session import RecipeSession

if TYPE_CHECKING:
    from harness.registry import Variant

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
    """GRPO: sampled groups per prompt, clipped policy gradient, KL penalty to the parent."""

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
    # The reward a degenerate completion gets instead of its non-toxic score (None: no guard,
    # so saying nothing scores as perfectly non-toxic).
    degenerate_reward: float | None = 0.0


class Config(RecipeConfig):
    prompts: RLPrompts = Field(default_factory=RLPrompts)
    rl: RLSettings = Field(default_factory=RLSettings)


def train(session: RecipeSession[Config]) -> Variant:
    """Detoxify the parent by RL (GRPO or RLOO, LoRA or full policy) with our toxicity
    classifier's non-toxic score as the reward; registers an ``rlhf`` variant with the reward,
    KL and degenerate-share curves, the classifier's hash and the top-reward samples."""
    from harness.toxicity import load_classifier

    rl = session.config.rl
    classifier = load_classifier()
    reward = NonToxicReward(
        classifier.score,
        rule=DegenerateRule(rl.min_words, rl.max_repeat_share),
        degenerate_reward=rl.degenerate_reward,
    )
    return train_with_reward(
        session,
        reward,
        reward_details={
            "reward": "1 - P(toxic) by the toxicity classifier",
            "classifier": classifier.info.hash,
            "degenerate_reward": rl.degenerate_reward,
        },
    )


def train_with_reward(
    session: RecipeSession[Config],
    reward: Callable[..., Any],
    *,
    reward_details: dict[str, Any] | None = None,
) -> Variant:
    """The RL loop with any trl-style reward function (tests use a toy one)."""
    config = session.config
    rl = config.rl
    run = session.run_dir()
    parent, loaded = session.load_parent()
    tokenizer = loaded.tokenizer
    prompts = rl_prompts(config.prompts, tokenizer)
    counts = {s: sum(p.source == s for p in prompts) for s in ("toxigen", "dialogsum")}
    session.seed_everything()
    model = loaded.model
    if rl.policy == "lora":
        model = attach_lora(model, rl.lora)
    elif rl.beta > 0:
        _ensure_reference_folder(model, tokenizer, run.root / "reference")
    trainer = _trainer(session, model, tokenizer, prompts, reward, run)
    print(
        f"{rl.algorithm.upper()} on {counts['toxigen']} ToxiGen + {counts['dialogsum']} DialogSum "
        f"prompts, {rl.num_generations} samples each, KL coefficient {rl.beta}, "
        f"{rl.policy} policy"
    )
    from harness.training.trainer import run_trainer

    outcome = run_trainer(
        trainer,
        run,
        description=f"{session.recipe} {session.name}",
        callbacks=session.callbacks,
        curve_keys=RL_CURVES,
    )
    summary = rl_summary(outcome.curves)
    outcome.final_losses.update(summary)
    details: dict[str, Any] = {
        "algorithm": rl.algorithm,
        "policy": rl.policy,
        "kl_coefficient": rl.beta,
        "prompts": counts,
        "rl_summary": summary,
        **(reward_details or {}),
    }
    log = getattr(reward, "log", None)
    if log is not None:
        details["top_reward_samples"] = log.best()
    return session.register(
        kind="rlhf",
        parent=parent,
        model=outcome.model,
        tokenizer=tokenizer,
        run=run,
        data_hash=prompts_hash(prompts),
        outcome=outcome,
        details=details,
    )


def _trainer(
    session: RecipeSession[Config],
    model: Any,
    tokenizer: Any,
    prompts: Sequence[RLPrompt],
    reward: Callable[..., Any],
    run: Any,
) -> Any:
    from datasets import Dataset, disable_progress_bars

    from harness.training.trainer import argument_values

    disable_progress_bars()
    rl = session.config.rl
    values = argument_values(session.config.train, run, session.config.seed)
    # trl counts completions, not prompts: a step sees batch_size prompts x their samples.
    values["per_device_train_batch_size"] = session.config.train.batch_size * rl.num_generations
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


def _ensure_reference_folder(model: Any, tokenizer: Any, folder: Path) -> None:
    """trl rebuilds a full policy's frozen reference from the folder the policy was loaded
    from; a parent built in memory (a random test model) is saved first so there is one."""
    source = getattr(model.config, "_name_or_path", "")
    if source and Path(source).is_dir():
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
