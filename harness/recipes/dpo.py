"""Direct Preference Optimization on hh-rlhf preference pairs (or a ranked file).

DPO trains the policy directly on (prompt, chosen, rejected) with the loss
``-log sigmoid(beta * [(log pi(c) - log ref(c)) - (log pi(r) - log ref(r))])``: no reward
model, no sampling. The reference is the parent, frozen; it is passed to trl explicitly
(a deep copy taken before the policy is wrapped), because for a model built in memory
trl would otherwise try to reload the reference by its Hub name.

Before and after training the recipe measures, on held-out prompts, the mean implicit
reward margin (the bracket above times beta), the plain policy log-prob margin
``log pi(c) - log pi(r)``, and the share of pairs where the chosen response wins.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import Field

from harness.training.adapters import attach_lora
from harness.training.preferences import Pair, PreferenceSplit, pairs_hash, preference_pairs
from harness.training.sections import LoraSettings, PreferenceData, RecipeConfig, Section
from harness.training.session import RecipeSession

if TYPE_CHECKING:
    from harness.models.loaded import LoadedModel
    from harness.registry import Variant

LOGP_BATCH = 4


class DPOSettings(Section):
    beta: Annotated[float, Field(gt=0)] = 0.1
    policy: Literal["full", "lora"] = "lora"
    lora: LoraSettings = Field(default_factory=LoraSettings)


class Config(RecipeConfig):
    data: PreferenceData = Field(default_factory=PreferenceData)
    dpo: DPOSettings = Field(default_factory=DPOSettings)
    heldout_limit: int | None = 100  # held-out pairs for the chosen-vs-rejected margin


def train(session: RecipeSession[Config]) -> Variant:
    """Train the parent (a LoRA or full policy) with DPO on preference pairs against its
    frozen copy; registers a ``dpo`` variant with the held-out reward and log-prob margins
    before and after training."""
    config = session.config
    parent, loaded = session.load_parent()
    split = preference_pairs(
        config.data, tokenizer=loaded.tokenizer, heldout_limit=config.heldout_limit
    )
    return train_on_pairs(
        session, parent, loaded, split, settings=config.dpo, max_length=config.data.max_length
    )


def train_on_pairs(
    session: RecipeSession[Any],
    parent: Variant,
    loaded: LoadedModel,
    split: PreferenceSplit,
    *,
    settings: DPOSettings,
    max_length: int,
    kind: str = "dpo",
    details: dict[str, Any] | None = None,
    evaluate: Callable[[Any], dict[str, Any]] | None = None,
) -> Variant:
    """DPO of ``loaded`` (``parent``'s weights) on ``split.train`` against its frozen copy,
    margins measured on ``split.heldout``; registers the variant under ``session``'s name.

    The session's config supplies ``train`` (the loop) and ``seed``; the constitutional
    recipe calls this with its AI-labelled pairs, and ``evaluate`` (the trained model ->
    more details) to evaluate the model before it is registered.
    """
    from datasets import Dataset, disable_progress_bars
    from trl import DPOConfig, DPOTrainer

    from harness.registry.weights import is_peft_model
    from harness.training.trainer import argument_values, run_trainer, uses_cpu

    disable_progress_bars()  # per-example tokenising bars would bury the training bar
    config = session.config
    beta = settings.beta
    run = session.run_dir()
    tokenizer = loaded.tokenizer
    base = loaded.model
    if is_peft_model(base) and hasattr(base, "merge_and_unload"):
        base = base.merge_and_unload()  # a LoRA parent: DPO starts from its merged weights
    reference = frozen_copy(base)
    session.seed_everything()  # LoRA's A matrices start random
    if settings.policy == "lora":
        model = attach_lora(base, settings.lora)
        trainable, total = model.get_nb_trainable_parameters()
    else:
        model = base
        trainable = total = sum(p.numel() for p in model.parameters())
    print(
        f"{len(split.train)} training and {len(split.heldout)} held-out preference pairs "
        f"({split.description}); {settings.policy} policy, {trainable:,} of {total:,} "
        f"weights train; beta {beta}"
    )
    # Score on the device the trainer will use: the 'before' numbers on a GPU run take seconds.
    device = "cpu" if uses_cpu(config.train) else "cuda"
    model.to(device)
    reference.to(device)
    reference_logps = completion_logps(reference, tokenizer, split.heldout)
    before = margin_report(completion_logps(model, tokenizer, split.heldout), reference_logps, beta)
    print(describe("before", before))
    dataset = Dataset.from_list(
        [{"prompt": p.prompt, "chosen": p.chosen, "rejected": p.rejected} for p in split.train]
    )
    args = DPOConfig(
        **argument_values(config.train, run, config.seed),
        beta=beta,
        max_length=max_length,
    )
    trainer = DPOTrainer(
        model=model,
        ref_model=reference,
        args=args,
        train_dataset=dataset,
        processing_class=tokenizer,
    )
    outcome = run_trainer(
        trainer,
        run,
        description=f"{session.recipe} {session.name}",
        callbacks=session.callbacks,
        curve_keys=("rewards/margins", "rewards/accuracies"),
    )
    after = margin_report(
        completion_logps(outcome.model, tokenizer, split.heldout), reference_logps, beta
    )
    print(describe("after", after))
    outcome.final_losses.update(
        {
            "heldout_reward_margin": after["reward_margin"],
            "heldout_chosen_wins": after["chosen_wins"],
        }
    )
    extra = dict(details or {})
    if evaluate is not None:
        extra.update(evaluate(outcome.model))
    return session.register(
        kind=kind,
        parent=parent,
        model=outcome.model,
        tokenizer=tokenizer,
        run=run,
        data_hash=pairs_hash(split.train),
        outcome=outcome,
        details={
            "heldout_before": before,
            "heldout_after": after,
            "heldout_pairs": len(split.heldout),
            "train_pairs": len(split.train),
            "split": split.description,
            "beta": beta,
            "policy": settings.policy,
            "trainable_share": trainable / total,
            **extra,
        },
    )


def frozen_copy(model: Any) -> Any:
    """An independent, gradient-free copy of ``model`` in eval mode: the DPO reference."""
    reference = copy.deepcopy(model)
    reference.requires_grad_(False)
    reference.eval()
    return reference


def completion_logps(
    model: Any, tokenizer: Any, pairs: Sequence[Pair]
) -> tuple[list[float], list[float]]:
    """Summed log-probabilities of each pair's chosen and rejected response given its prompt.

    Tokenised as trl's DPO does: prompt + response + EOS as one text, the response being the
    tokens after the longest prefix shared with the tokenised prompt alone.
    """
    eos = tokenizer.eos_token or ""
    chosen = _response_logps(model, tokenizer, [(p.prompt, p.chosen + eos) for p in pairs])
    rejected = _response_logps(model, tokenizer, [(p.prompt, p.rejected + eos) for p in pairs])
    return chosen, rejected


def margin_report(
    policy: tuple[list[float], list[float]],
    reference: tuple[list[float], list[float]],
    beta: float,
) -> dict[str, float]:
    """Mean implicit reward margin, mean policy log-prob margin, and the shares of pairs
    where each is positive (``reward_accuracy``, ``chosen_wins``)."""
    (pc, pr), (rc, rr) = policy, reference
    if not pc:
        nan = float("nan")
        return {
            "reward_margin": nan,
            "logprob_margin": nan,
            "reward_accuracy": nan,
            "chosen_wins": nan,
        }
    rewards = [beta * ((a - b) - (c - d)) for a, b, c, d in zip(pc, rc, pr, rr, strict=True)]
    logprob = [a - c for a, c in zip(pc, pr, strict=True)]
    n = len(rewards)
    return {
        "reward_margin": sum(rewards) / n,
        "logprob_margin": sum(logprob) / n,
        "reward_accuracy": sum(m > 0 for m in rewards) / n,
        "chosen_wins": sum(m > 0 for m in logprob) / n,
    }


def describe(label: str, report: dict[str, float]) -> str:
    """One line of held-out margins for the console."""
    return (
        f"held-out {label}: implicit reward margin {report['reward_margin']:.4f} "
        f"(positive on {report['reward_accuracy']:.1%}), log-prob margin "
        f"{report['logprob_margin']:.4f} (chosen more likely on {report['chosen_wins']:.1%})"
    )


def _response_logps(model: Any, tokenizer: Any, texts: list[tuple[str, str]]) -> list[float]:
    import torch

    sequences = []
    for prompt, response in texts:
        prompt_ids = tokenizer(prompt)["input_ids"]
        full = tokenizer(prompt + response)["input_ids"]
        start = _common_prefix(prompt_ids, full)
        sequences.append((full, start))
    device = next(model.parameters()).device
    was_training = model.training
    model.eval()
    pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else 0
    out: list[float] = []
    with torch.no_grad():
        for first in range(0, len(sequences), LOGP_BATCH):
            batch = sequences[first : first + LOGP_BATCH]
            width = max(len(ids) for ids, _ in batch)
            input_ids = torch.tensor([ids + [pad] * (width - len(ids)) for ids, _ in batch])
            mask = torch.tensor([[1] * len(ids) + [0] * (width - len(ids)) for ids, _ in batch])
            logits = model(
                input_ids=input_ids.to(device), attention_mask=mask.to(device), use_cache=False
            ).logits.float()
            # Token j is predicted at position j - 1.
            logps = torch.log_softmax(logits[:, :-1], dim=-1)
            token_logps = logps.gather(-1, input_ids[:, 1:].to(device).unsqueeze(-1)).squeeze(-1)
            for row, (ids, start) in enumerate(batch):
                # The first token has no prediction, so an empty prompt scores from the second.
                out.append(float(token_logps[row, max(start, 1) - 1 : len(ids) - 1].sum()))
    model.train(was_training)
    return out


def _common_prefix(ids: list[int], other: list[int]) -> int:
    n = 0
    for a, b in zip(ids, other, strict=False):
        if a != b:
            break
        n += 1
    return n
