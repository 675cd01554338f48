"""A reward model: a causal LM's weights under a scalar head, fit to preference pairs.

The machinery the ``reward-model`` recipe and the constitutional recipe's ``rm-grpo``
stage share: the parent's weights become an ``AutoModelForSequenceClassification`` with
one label (a fresh, seeded score head reading the last token), trl's ``RewardTrainer``
fits the Bradley-Terry loss ``-log sigmoid(r(chosen) - r(rejected))``, and success is
pairwise accuracy: the share of pairs where the chosen response scores higher.

A reward model is a classifier, not a causal LM: ``harness.registry.load_variant`` refuses
it, and :func:`load_reward_model` is how other recipes (RL) use it as a reward.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from harness.errors import HarnessError
from harness.training.preferences import Pair, PreferenceSplit
from harness.training.sections import TrainSettings

if TYPE_CHECKING:
    from harness.store import Location
    from harness.training.run_dir import RunDir
    from harness.training.trainer import TrainingOutcome

SCORE_BATCH = 8
REWARD_MODEL_KIND = "reward-model"

RewardFunction = Callable[[Sequence[str], Sequence[str]], list[float]]


def fit_reward_model(
    causal_lm: Any,
    tokenizer: Any,
    pairs: Sequence[Pair],
    *,
    settings: TrainSettings,
    max_length: int,
    run: RunDir,
    seed: int,
    description: str,
    callbacks: Sequence[Any] = (),
) -> TrainingOutcome:
    """A scalar-head copy of ``causal_lm`` trained on ``pairs`` (Bradley-Terry); the outcome's
    curves keep the trainer's accuracy and margin beside the loss. Seed torch first: the
    score head starts random."""
    from datasets import Dataset, disable_progress_bars
    from trl import RewardConfig, RewardTrainer

    from harness.training.trainer import argument_values, run_trainer

    disable_progress_bars()  # per-example tokenising bars would bury the training bar
    model = sequence_classifier(causal_lm, tokenizer)
    dataset = Dataset.from_list(
        [{"prompt": p.prompt, "chosen": p.chosen, "rejected": p.rejected} for p in pairs]
    )
    args = RewardConfig(**argument_values(settings, run, seed), max_length=max_length)
    trainer = RewardTrainer(
        model=model, args=args, train_dataset=dataset, processing_class=tokenizer
    )
    return run_trainer(
        trainer,
        run,
        description=description,
        callbacks=callbacks,
        curve_keys=("accuracy", "margin"),
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


def accuracy_details(model: Any, tokenizer: Any, split: PreferenceSplit) -> dict[str, Any]:
    """Pairwise accuracy and mean margin on a split's training and held-out pairs, with the
    split, as a reward-model variant's details keep them."""
    train = pairwise_accuracy(model, tokenizer, split.train)
    heldout = pairwise_accuracy(model, tokenizer, split.heldout)
    return {
        "train_accuracy": train["accuracy"],
        "train_margin": train["margin"],
        "train_pairs": len(split.train),
        "heldout_accuracy": heldout["accuracy"],
        "heldout_margin": heldout["margin"],
        "heldout_pairs": len(split.heldout),
        "split": split.description,
    }


def load_reward_model(store: Location, name: str, *, device: str = "cpu") -> RewardFunction:
    """A registered reward model as ``reward(prompts, responses) -> list[float]``."""
    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    from harness.registry import get_variant, hash_weights

    variant = get_variant(store, name)
    if variant.kind != REWARD_MODEL_KIND:
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
