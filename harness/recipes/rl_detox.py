"""RL detoxification (the course's Lab 3): reward = our classifier's non-toxic score, with a
KL penalty to the frozen parent.

GRPO (or RLOO with ``rl.algorithm``) from :mod:`harness.training.grpo` on ToxiGen and
DialogSum prompts. Logged per step (and kept as curves on the variant): mean reward, KL to
the reference, mean completion length, mean toxicity and the share of degenerate
completions. The highest-reward completions are kept in the variant's details for the
reward-hacking watch.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from pydantic import Field

from harness.training.grpo import RLSettings, prompts_hash, rl_summary, train_policy
from harness.training.rewards import DegenerateRule, NonToxicReward
from harness.training.rl_prompts import rl_prompts
from harness.training.sections import RecipeConfig, RLPrompts
from harness.training.session import RecipeSession

if TYPE_CHECKING:
    from harness.registry import Variant


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
    print(
        f"{rl.algorithm.upper()} on {counts['toxigen']} ToxiGen + {counts['dialogsum']} DialogSum "
        f"prompts, {rl.num_generations} samples each, KL coefficient {rl.beta}, "
        f"{rl.policy} policy"
    )
    outcome = train_policy(
        loaded.model,
        tokenizer,
        prompts,
        reward,
        rl=rl,
        train=config.train,
        seed=config.seed,
        run=run,
        description=f"{session.recipe} {session.name}",
        callbacks=session.callbacks,
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
