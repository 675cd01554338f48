"""LoRA on DialogSum: low-rank adapters on the attention projections, the rest frozen.

Rank, alpha, dropout and target modules are knobs; the adapter is what gets registered
(small on disk), and ``lora.save_merged`` also writes a merged full model beside it.
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING

from pydantic import Field

from harness.training.adapters import attach_lora
from harness.training.examples import examples_hash, sft_examples
from harness.training.sections import LoraSettings, RecipeConfig, SFTData
from harness.training.session import RecipeSession

if TYPE_CHECKING:
    from harness.registry import Variant


class Config(RecipeConfig):
    data: SFTData = Field(default_factory=SFTData)
    lora: LoraSettings = Field(default_factory=LoraSettings)


def train(session: RecipeSession[Config]) -> Variant:
    """Train LoRA adapters on the parent with DialogSum; registers a ``lora`` variant (the
    adapter only, with its trainable share; ``lora.save_merged`` also saves a merged model)."""
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
