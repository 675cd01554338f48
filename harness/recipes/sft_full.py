"""Instruction fine-tuning of every weight on DialogSum (the course's Lab 2, full fine-tune).

The prompt is the DialogSum evaluation task's own, the loss is on the summary only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import Field

from harness.training.examples import examples_hash, sft_examples
from harness.training.sections import RecipeConfig, SFTData
from harness.training.session import RecipeSession

if TYPE_CHECKING:
    from harness.registry import Variant


class Config(RecipeConfig):
    data: SFTData = Field(default_factory=SFTData)


def train(session: RecipeSession[Config]) -> Variant:
    """Fine-tune every weight of the parent on DialogSum summaries; registers a ``full-ft``
    variant (the full model) with the number of training examples."""
    config = session.config
    run = session.run_dir()
    parent, loaded = session.load_parent()
    examples = sft_examples(config.data, loaded.tokenizer)
    print(f"{len(examples)} DialogSum training examples; all {loaded.n_parameters:,} weights train")
    session.seed_everything()
    outcome = session.fit(
        loaded.model, loaded.tokenizer, examples, run, max_length=config.data.max_length
    )
    return session.register(
        kind="full-ft",
        parent=parent,
        model=outcome.model,
        tokenizer=loaded.tokenizer,
        run=run,
        data_hash=examples_hash(examples),
        outcome=outcome,
        details={"examples": len(examples)},
    )
