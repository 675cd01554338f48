"""A reward model: the parent LM with a scalar head, trained on preference pairs.

The parent's weights become an ``AutoModelForSequenceClassification`` with one label (a
fresh, seeded score head reading the last token), and trl's ``RewardTrainer`` fits the
Bradley-Terry loss ``-log sigmoid(r(chosen) - r(rejected))``. Success is pairwise
accuracy on held-out prompts: the share of pairs where the chosen response scores higher.
The machinery (classifier, training, scoring, loading) is :mod:`harness.training.reward_model`'s.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import Field

from harness.training.preferences import pairs_hash, preference_pairs
from harness.training.reward_model import REWARD_MODEL_KIND, accuracy_details, fit_reward_model
from harness.training.sections import PreferenceData, RecipeConfig
from harness.training.session import RecipeSession

if TYPE_CHECKING:
    from harness.registry import Variant


class Config(RecipeConfig):
    data: PreferenceData = Field(default_factory=PreferenceData)
    heldout_limit: int | None = 200  # held-out pairs scored for pairwise accuracy


def train(session: RecipeSession[Config]) -> Variant:
    """Train a scalar-head copy of the parent on preference pairs (Bradley-Terry); registers a
    ``reward-model`` variant (a sequence classifier, not a causal LM) with its held-out and
    train pairwise accuracy."""
    config = session.config
    run = session.run_dir()
    parent, loaded = session.load_parent()
    tokenizer = loaded.tokenizer
    split = preference_pairs(config.data, tokenizer=tokenizer, heldout_limit=config.heldout_limit)
    print(
        f"{len(split.train)} training and {len(split.heldout)} held-out preference pairs "
        f"({split.description})"
    )
    session.seed_everything()  # the score head starts random
    outcome = fit_reward_model(
        loaded.model,
        tokenizer,
        split.train,
        settings=config.train,
        max_length=config.data.max_length,
        run=run,
        seed=config.seed,
        description=f"{session.recipe} {session.name}",
        callbacks=session.callbacks,
    )
    del loaded  # the causal LM copy is no longer needed
    details = accuracy_details(outcome.model, tokenizer, split)
    print(
        f"held-out pairwise accuracy {details['heldout_accuracy']:.3f} "
        f"(mean margin {details['heldout_margin']:.3f}, {len(split.heldout)} pairs); "
        f"train accuracy {details['train_accuracy']:.3f}"
    )
    outcome.final_losses.update(
        {key: details[key] for key in ("heldout_accuracy", "heldout_margin")}
    )
    return session.register(
        kind=REWARD_MODEL_KIND,
        parent=parent,
        model=outcome.model,
        tokenizer=tokenizer,
        run=run,
        data_hash=pairs_hash(split.train),
        outcome=outcome,
        details=details,
    )
