"""Prompt tuning on DialogSum: learn ``virtual_tokens`` soft-prompt embeddings, nothing else.

The soft prompt can start from the embeddings of an instruction (``init: text``), which
trains faster than a random start with so few parameters.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import Field

from harness.training.examples import dialogsum_examples, examples_hash
from harness.training.sections import RecipeConfig, Section, SFTData
from harness.training.session import RecipeSession

if TYPE_CHECKING:
    from harness.registry import Variant


class PromptTuningSettings(Section):
    virtual_tokens: Annotated[int, Field(ge=1)] = 20
    # "text" starts the soft prompt from the embeddings of init_text (better than random).
    init: Literal["random", "text"] = "text"
    init_text: str = "Summarize the following conversation."


class Config(RecipeConfig):
    data: SFTData = Field(default_factory=SFTData)
    prompt_tuning: PromptTuningSettings = Field(default_factory=PromptTuningSettings)


def train(session: RecipeSession[Config]) -> Variant:
    """Learn a soft prompt of ``virtual_tokens`` embeddings on DialogSum, the parent frozen;
    registers a ``prompt-tuning`` variant (the peft adapter) with its trainable share."""
    from peft import PromptTuningConfig, PromptTuningInit, TaskType, get_peft_model

    config = session.config
    settings = config.prompt_tuning
    run = session.run_dir()
    parent, loaded = session.load_parent()
    examples = dialogsum_examples(
        limit=config.data.limit,
        seed=config.data.seed,
        # The virtual tokens take room in the model's input too.
        max_length=config.data.max_length - settings.virtual_tokens,
        tokenizer=loaded.tokenizer,
    )
    session.seed_everything()
    from_text = settings.init == "text"
    model = get_peft_model(
        loaded.model,
        PromptTuningConfig(
            task_type=TaskType.CAUSAL_LM,
            num_virtual_tokens=settings.virtual_tokens,
            prompt_tuning_init=PromptTuningInit.TEXT if from_text else PromptTuningInit.RANDOM,
            prompt_tuning_init_text=settings.init_text if from_text else None,
            tokenizer_name_or_path=loaded.tokenizer.name_or_path if from_text else None,
        ),
    )
    trainable, total = model.get_nb_trainable_parameters()
    print(
        f"{len(examples)} DialogSum training examples; {settings.virtual_tokens} virtual tokens, "
        f"trainable parameters: {trainable:,} of {total:,} ({trainable / total:.4%})"
    )
    outcome = session.fit(
        model,
        loaded.tokenizer,
        examples,
        run,
        max_length=config.data.max_length - settings.virtual_tokens,
    )
    return session.register(
        kind="prompt-tuning",
        parent=parent,
        model=outcome.model,
        tokenizer=loaded.tokenizer,
        run=run,
        data_hash=examples_hash(examples),
        outcome=outcome,
        details={"examples": len(examples), "trainable_share": trainable / total},
    )
