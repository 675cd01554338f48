"""LoRA on DialogSum: low-rank adapters on the attention projections, the rest frozen.

Rank, alpha, dropout and target modules are knobs; the adapter is what gets registered
(small on disk), and ``lora.save_merged`` also writes a merged full model beside it.
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

from harness.recipes.config import LoraSettings
from harness.recipes.examples import examples_hash, sft_examples
from harness.recipes.session import RecipeSession

if TYPE_CHECKING:
    from harness.registry import Variant


def train(session: RecipeSession) -> Variant:
    config = session.config
    run = session.run_dir()
    parent, loaded = session.load_parent()
    examples = sft_examples(config.data, loaded.tokenizer)
    session.seed_everything()  # the adapter's A matrices start random
    model = attach_lora(loaded.model, config.lora)
    trainable, total = model.get_nb_trainable_parameters()
    share = trainable / total
    print(
        f"{len(examples)} DialogSum training examples; trainable parameters: "
        f"{trainable:,} of {total:,} ({share:.2%})"
    )
    outcome = session.fit(model, loaded.tokenizer, examples, run, max_length=config.data.max_length)
    details: dict[str, object] = {"examples": len(examples), "trainable_share": share}
    if config.lora.save_merged:
        # Merging rewrites the base layers in place; a copy keeps the adapter intact to register.
        merged_path = run.root / "merged"
        merged = copy.deepcopy(outcome.model).merge_and_unload()
        merged.save_pretrained(str(merged_path))
        loaded.tokenizer.save_pretrained(str(merged_path))
        details["merged_path"] = str(merged_path)
    return session.register(
        kind="lora",
        parent=parent,
        model=outcome.model,
        tokenizer=loaded.tokenizer,
        run=run,
        data_hash=examples_hash(examples),
        outcome=outcome,
        details=details,
    )


def attach_lora(model: Any, settings: LoraSettings) -> Any:
    """``model`` wrapped by peft with fresh LoRA adapters; only they are trainable."""
    from peft import LoraConfig, TaskType, get_peft_model

    return get_peft_model(
        model,
        LoraConfig(
            task_type=TaskType.CAUSAL_LM,
            r=settings.rank,
            lora_alpha=settings.alpha,
            lora_dropout=settings.dropout,
            target_modules=list(settings.target_modules),
        ),
    )
