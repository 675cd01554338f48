"""RL from AI feedback through a reward model: the two stages of ``preference.method=rm-grpo``.

1. :func:`train_reward_stage`: the policy's weights under a scalar head, fit to the
   AI-labelled pairs (Bradley-Terry, :mod:`harness.training.reward_model`) and registered
   as a ``reward-model`` variant whose parent is the policy.
2. :func:`train_rl_stage`: GRPO (or RLOO) on the training prompts with that reward model's
   score of each answer as the reward (:class:`harness.training.rewards.RewardModelReward`,
   the answer cut where the model starts a new turn) and a KL penalty to the policy as it
   was (:mod:`harness.training.grpo`); registered as an ``rlaif`` variant under the policy.

The constitutional recipe calls them with its supervised model as the policy; they take
everything they read as arguments, so they know nothing of that recipe's config.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from harness.training.sections import TrainSettings

if TYPE_CHECKING:
    from harness.models.loaded import LoadedModel
    from harness.registry import Variant
    from harness.training.grpo import RLSettings
    from harness.training.preferences import PreferenceSplit
    from harness.training.run_dir import RunDir
    from harness.training.session import RecipeSession

Log = Callable[[str], None]
RL_PROMPT_SOURCE = "red-team"


def train_reward_stage(
    stage: RecipeSession[Any],
    parent: Variant,
    parent_loaded: LoadedModel,
    split: PreferenceSplit,
    *,
    settings: TrainSettings,
    max_length: int,
    log: Log,
) -> Variant:
    """Fit a reward model to ``split.train`` from ``parent``'s weights; register it as the
    ``stage`` session's variant with its pairwise accuracy on its own and held-out pairs."""
    from harness.training.preferences import pairs_hash
    from harness.training.reward_model import (
        REWARD_MODEL_KIND,
        accuracy_details,
        fit_reward_model,
    )

    run = stage.run_dir()
    stage.seed_everything()  # the score head starts random
    tokenizer = parent_loaded.tokenizer
    outcome = fit_reward_model(
        copy.deepcopy(parent_loaded.model),  # an adapter would be merged in place: copy first
        tokenizer,
        split.train,
        settings=settings,
        max_length=max_length,
        run=run,
        seed=int(stage.config.seed),
        description=f"{stage.recipe} {stage.name}",
        callbacks=stage.callbacks,
    )
    details = accuracy_details(outcome.model, tokenizer, split)
    log(
        f"stage reward model: pairwise accuracy {details['train_accuracy']:.3f} on its "
        f"{len(split.train)} training pairs, {details['heldout_accuracy']:.3f} on "
        f"{len(split.heldout)} held-out pairs"
    )
    outcome.final_losses.update(
        {key: details[key] for key in ("train_accuracy", "heldout_accuracy")}
    )
    return stage.register(
        kind=REWARD_MODEL_KIND,
        parent=parent,
        model=outcome.model,
        tokenizer=tokenizer,
        run=run,
        data_hash=pairs_hash(split.train),
        outcome=outcome,
        details=details,
    )


def train_rl_stage(
    session: RecipeSession[Any],
    run: RunDir,
    parent: Variant,
    parent_loaded: LoadedModel,
    prompts: Sequence[str],
    reward_model: Variant,
    *,
    rl: RLSettings,
    details: dict[str, Any],
    evaluate: Callable[[Any], dict[str, Any]],
    log: Log,
) -> Variant:
    """RL of ``parent``'s weights on ``prompts`` rewarded by ``reward_model``, KL to ``parent``;
    ``evaluate`` (trained model -> details) runs before the ``session``'s variant is registered.
    The session's config supplies the loop (``train``) and ``seed``."""
    from harness.hashing import content_hash
    from harness.registry.weights import is_peft_model
    from harness.training.critique import TURN_STOPS
    from harness.training.grpo import prompts_hash, rl_summary, train_policy
    from harness.training.reward_model import load_reward_model
    from harness.training.rewards import DegenerateRule, RewardModelReward
    from harness.training.rl_prompts import RLPrompt
    from harness.training.trainer import uses_cpu

    loop: TrainSettings = session.config.train
    seed = int(session.config.seed)
    device = "cpu" if uses_cpu(loop) else "cuda"
    reward = RewardModelReward(
        load_reward_model(session.store, reward_model.variant_id, device=device),
        rule=DegenerateRule(rl.min_words, rl.max_repeat_share),
        degenerate_reward=rl.degenerate_reward,
        stops=TURN_STOPS,
    )
    policy = copy.deepcopy(parent_loaded.model)  # the parent stays the evaluation's baseline
    merged = is_peft_model(policy) and hasattr(policy, "merge_and_unload")
    if merged:  # an adapter parent: RL starts from its merged weights
        policy = policy.merge_and_unload()
    rl_prompts = [RLPrompt(p, RL_PROMPT_SOURCE) for p in prompts]
    log(
        f"stage rl: {rl.algorithm.upper()} on {len(rl_prompts)} prompts, {rl.num_generations} "
        f"samples each, reward {reward_model.name}, KL coefficient {rl.beta}, {rl.policy} policy"
    )
    session.seed_everything()
    outcome = train_policy(
        policy,
        parent_loaded.tokenizer,
        rl_prompts,
        reward,
        rl=rl,
        train=loop,
        seed=seed,
        run=run,
        description=f"{session.recipe} {session.name}",
        callbacks=session.callbacks,
        fresh_reference=merged,
    )
    summary = rl_summary(outcome.curves)
    outcome.final_losses.update(summary)
    return session.register(
        kind="rlaif",
        parent=parent,
        model=outcome.model,
        tokenizer=parent_loaded.tokenizer,
        run=run,
        data_hash=content_hash([prompts_hash(rl_prompts), reward_model.weights_hash]),
        outcome=outcome,
        details={
            **details,
            "algorithm": rl.algorithm,
            "policy": rl.policy,
            "kl_coefficient": rl.beta,
            "reward_model": reward_model.name,
            "reward_model_id": reward_model.variant_id,
            "rl_summary": summary,
            "top_reward_samples": reward.log.best(),
            **evaluate(outcome.model),
        },
    )
