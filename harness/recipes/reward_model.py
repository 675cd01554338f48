"""A reward model: the parent LM with a scalar head, trained on preference pairs.

The parent's weights become an ``AutoModelForSequenceClassification`` with one label (a
fresh, seeded score head reading the last token), and trl's ``RewardTrainer`` fits the
Bradley-Terry loss ``-log sigmoid(r(chosen) - r(rejected))``. Success is pairwise
accuracy on held-out prompts: the share of pairs where the chosen response scores higher.

A reward model is a classifier, not a causal LM: ``harness.registry.load_variant`` refuses
it, and :func:`load_reward_model` is how other recipes (RL) use it as a reward.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import Field

from harness.errors import HarnessError
from harness.training.preferences import Pair, pairs_hash, preference_pairs
from harness.training.sections import PreferenceData, RecipeConfig
from harness.training.session import RecipeSession

if TYPE_CHECKING:
    from harness.registry import Variant
    from harness.store import Location

SCORE_BATCH = 8

RewardFunction = Callable[[Sequence[str], Sequence[str]], list[float]]


class Config(RecipeConfig):
    data: PreferenceData = Field(default_factory=PreferenceData)
    heldout_limit: int | None = 200  # held-out pairs scored for pairwise accuracy


def train(session: RecipeSession[Config]) -> Variant:
    """Train a scalar-head copy of the parent on preference pairs (Bradley-Terry); registers a
    ``reward-model`` variant (a sequence classifier, not a causal LM) with its held-out and
    train pairwise accuracy."""
    from datasets import Dataset, disable_progress_bars
    from trl import RewardConfig, RewardTrainer

    from harness.training.trainer import argument_values, run_trainer

    disable_progress_bars()  # per-example tokenising bars would bury the training bar
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
    model = sequence_classifier(loaded.model, tokenizer)
    del loaded  # the causal LM copy is no longer needed
    dataset = Dataset.from_list(
        [{"prompt": p.prompt, "chosen": p.chosen, "rejected": p.rejected} for p in split.train]
    )
    args = RewardConfig(
        **argument_values(config.train, run, config.seed),
        max_length=config.data.max_length,
    )
    trainer = RewardTrainer(
        model=model, args=args, train_dataset=dataset, processing_class=tokenizer
    )
    outcome = run_trainer(
        trainer,
        run,
        description=f"{session.recipe} {session.name}",
        callbacks=session.callbacks,
        curve_keys=("accuracy", "margin"),
    )
    heldout = pairwise_accuracy(outcome.model, tokenizer, split.heldout)
    train_scores = pairwise_accuracy(outcome.model, tokenizer, split.train)
    print(
        f"held-out pairwise accuracy {heldout['accuracy']:.3f} "
        f"(mean margin {heldout['margin']:.3f}, {len(split.heldout)} pairs); "
        f"train accuracy {train_scores['accuracy']:.3f}"
    )
    outcome.final_losses.update(
        {"heldout_accuracy": heldout["accuracy"], "heldout_margin": heldout["margin"]}
    )
    return session.register(
        kind="reward-model",
        parent=parent,
        model=outcome.model,
        tokenizer=tokenizer,
        run=run,
        data_hash=pairs_hash(split.train),
        outcome=outcome,
        details={
            "heldout_accuracy": heldout["accuracy"],
            "heldout_margin": heldout["margin"],
            "heldout_pairs": len(split.heldout),
            "train_accuracy": train_scores["accuracy"],
            "train_margin": train_scores["margin"],
            "train_pairs": len(split.train),
            "split": split.description,
        },
    )


def sequence_classifier(causal_lm: Any, tokenizer: Any) -> Any:
    """The causal LM's weights under a one-label ``AutoModelForSequenceClassification``.

    The LM is saved and read back as a classifier: its backbone weights carry over, its LM
    head is dropped and a new score head is drawn from the current torch seed.
    """
    import torch
    from transformers import AutoModelForSequenceClassification
    from transformers.utils import logging as transformers_logging
    from trl.trainer.reward_trainer import suppress_seqcls_warning

    from harness.registry.weights import is_peft_model

    transformers_logging.disable_progress_bar()  # shard-writing bars say nothing here
    if is_peft_model(causal_lm):
        if not hasattr(causal_lm, "merge_and_unload"):
            raise HarnessError(
                "a reward model cannot start from a prompt-tuning parent (its soft prompt does "
                "not merge into the weights); pick a full-weights or LoRA parent"
            )
        causal_lm = causal_lm.merge_and_unload()
    with tempfile.TemporaryDirectory(prefix="reward-parent-") as folder:
        causal_lm.save_pretrained(folder)
        with suppress_seqcls_warning():
            model = AutoModelForSequenceClassification.from_pretrained(
                folder, num_labels=1, dtype=torch.float32
            )
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    # The classifier reads the last non-pad token, so it must know which id pads.
    model.config.pad_token_id = tokenizer.pad_token_id
    return model


def score(
    model: Any, tokenizer: Any, prompts: Sequence[str], responses: Sequence[str]
) -> list[float]:
    """The reward of each prompt + response, tokenised as ``RewardTrainer`` does (with EOS)."""
    import torch

    if len(prompts) != len(responses):
        raise HarnessError(
            f"{len(prompts)} prompts but {len(responses)} responses; pass one response per prompt"
        )
    eos = tokenizer.eos_token or ""
    texts = [
        p + r if r.endswith(eos) else p + r + eos for p, r in zip(prompts, responses, strict=True)
    ]
    device = next(model.parameters()).device
    was_training = model.training
    model.eval()
    rewards: list[float] = []
    with torch.no_grad():
        for start in range(0, len(texts), SCORE_BATCH):
            ids = [tokenizer(t)["input_ids"] for t in texts[start : start + SCORE_BATCH]]
            width = max(len(i) for i in ids)
            # Right padding, as trl's preference collator pads.
            input_ids = torch.tensor(
                [i + [model.config.pad_token_id] * (width - len(i)) for i in ids], device=device
            )
            mask = torch.tensor([[1] * len(i) + [0] * (width - len(i)) for i in ids], device=device)
            logits = model(input_ids=input_ids, attention_mask=mask, use_cache=False).logits
            rewards.extend(float(v) for v in logits[:, 0].float().cpu())
    model.train(was_training)
    return rewards


def pairwise_accuracy(model: Any, tokenizer: Any, pairs: Sequence[Pair]) -> dict[str, float]:
    """Share of pairs with r(chosen) > r(rejected), and the mean r(chosen) - r(rejected)."""
    if not pairs:
        return {"accuracy": float("nan"), "margin": float("nan")}
    prompts = [p.prompt for p in pairs]
    chosen = score(model, tokenizer, prompts, [p.chosen for p in pairs])
    rejected = score(model, tokenizer, prompts, [p.rejected for p in pairs])
    margins = [c - r for c, r in zip(chosen, rejected, strict=True)]
    return {
        "accuracy": sum(m > 0 for m in margins) / len(margins),
        "margin": sum(margins) / len(margins),
    }


def load_reward_model(store: Location, name: str, *, device: str = "cpu") -> RewardFunction:
    """A registered reward model as ``reward(prompts, responses) -> list[float]``."""
    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    from harness.registry import get_variant, hash_weights

    variant = get_variant(store, name)
    if variant.kind != "reward-model":
        raise HarnessError(
            f"variant '{variant.name}' is a {variant.kind} model, not a reward model; "
            "train one with `harness train reward-model`"
        )
    if variant.path is None or not Path(variant.path).is_dir():
        raise HarnessError(
            f"reward model '{variant.name}' has no weights folder (path {variant.path}); "
            "train it again"
        )
    model = AutoModelForSequenceClassification.from_pretrained(variant.path, dtype=torch.float32)
    found = hash_weights(model)
    if found != variant.weights_hash:
        raise HarnessError(
            f"weights of reward model '{variant.name}' hash to {found[:12]} but were registered "
            f"as {variant.weights_hash[:12]}; the files changed, so train or register it again"
        )
    tokenizer = AutoTokenizer.from_pretrained(variant.path)
    model.to(device)
    model.eval()

    def reward(prompts: Sequence[str], responses: Sequence[str]) -> list[float]:
        return score(model, tokenizer, prompts, responses)

    return reward
