"""Multi-task instruction fine-tuning: DialogSum mixed with Alpaca instructions.

Fine-tuning on one task alone tends to erase general instruction following (catastrophic
forgetting); mixing in other instructions is the cheap defence the course shows.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import Field

from harness.training.examples import (
    alpaca_examples,
    dialogsum_examples,
    examples_hash,
    shuffled,
)
from harness.training.sections import RecipeConfig, Section
from harness.training.session import RecipeSession

if TYPE_CHECKING:
    from harness.registry import Variant


class MultitaskData(Section):
    """A mixture of DialogSum and Alpaca examples, shuffled together with ``seed``."""

    dialogsum: int = 100
    alpaca: int = 100
    seed: int = 0
    max_length: int = 512


class Config(RecipeConfig):
    data: MultitaskData = Field(default_factory=MultitaskData)


def train(session: RecipeSession[Config]) -> Variant:
    """Fine-tune every weight of the parent on DialogSum and Alpaca examples mixed; registers
    a ``full-ft`` variant with the count of examples from each source."""
    config = session.config
    data = config.data
    run = session.run_dir()
    parent, loaded = session.load_parent()
    dialogsum = dialogsum_examples(
        limit=data.dialogsum, seed=data.seed, max_length=data.max_length, tokenizer=loaded.tokenizer
    )
    alpaca = alpaca_examples(
        limit=data.alpaca, seed=data.seed, max_length=data.max_length, tokenizer=loaded.tokenizer
    )
    examples = shuffled(dialogsum + alpaca, data.seed)
    print(f"{len(dialogsum)} DialogSum + {len(alpaca)} Alpaca examples, shuffled together")
    session.seed_everything()
    outcome = session.fit(loaded.model, loaded.tokenizer, examples, run, max_length=data.max_length)
    return session.register(
        kind="full-ft",
        parent=parent,
        model=outcome.model,
        tokenizer=loaded.tokenizer,
        run=run,
        data_hash=examples_hash(examples),
        outcome=outcome,
        details={"examples": {"dialogsum": len(dialogsum), "alpaca": len(alpaca)}},
    )
