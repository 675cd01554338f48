"""Config sections more than one recipe (or the shared machinery) reads.

A recipe's own top-level ``Config`` lives in its module and is built from these blocks;
a block only one recipe reads lives in that recipe's module.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from harness.paths import DEFAULT_MODEL

DEFAULT_PARENT = DEFAULT_MODEL


class Section(BaseModel):
    """A config block: unknown keys are rejected so a typo never becomes a silent default."""

    model_config = ConfigDict(extra="forbid")


class TrainSettings(Section):
    """Optimiser and loop knobs shared by every recipe (they map onto ``TrainingArguments``)."""

    epochs: float = 1.0
    max_steps: int = -1  # > 0 overrides epochs
    batch_size: int = 4
    grad_accum: int = 1
    learning_rate: float = 5e-5
    lr_scheduler: str = "linear"
    warmup: float = 0.0  # below 1: a share of the steps; from 1: a number of steps
    weight_decay: float = 0.0
    max_grad_norm: float = 1.0
    logging_steps: int = 5
    save_steps: int = 25
    save_total_limit: int = 2
    gradient_checkpointing: bool = False
    bf16: bool = False  # GPU profiles only; CPU training stays in float32
    device: Literal["auto", "cpu", "cuda"] = "auto"


class RecipeConfig(Section):
    """What every fine-tuning recipe has: the variant's name, its parent, a seed, the loop."""

    name: str
    parent: str = DEFAULT_PARENT
    seed: int = 42
    train: TrainSettings = Field(default_factory=TrainSettings)


class SFTData(Section):
    """Which DialogSum training dialogues are used: a seeded sample of those that fit."""

    limit: int | None = 200  # None: every train dialogue that fits max_length
    seed: int = 0
    max_length: int = 512


class LoraSettings(Section):
    """LoRA adapters (the ``lora`` recipe, and the LoRA policies of ``dpo`` and ``rl-detox``)."""

    rank: Annotated[int, Field(ge=1)] = 8
    alpha: Annotated[int, Field(ge=1)] = 16
    dropout: Annotated[float, Field(ge=0, lt=1)] = 0.05
    target_modules: list[str] = Field(default_factory=lambda: ["q_proj", "v_proj"])
    save_merged: bool = False


class LlamaShape(Section):
    """A Llama's size for pre-training from scratch; the vocabulary comes from the tokenizer."""

    hidden: Annotated[int, Field(ge=8)] = 128
    layers: Annotated[int, Field(ge=1)] = 4
    heads: Annotated[int, Field(ge=1)] = 4
    kv_heads: Annotated[int, Field(ge=1)] = 4
    intermediate: Annotated[int, Field(ge=8)] = 384


CorpusName = Literal["tinyshakespeare", "wikitext2_raw"]
CORPORA: tuple[CorpusName, ...] = ("tinyshakespeare", "wikitext2_raw")


class CorpusData(Section):
    """Plain-text corpora under the data root; the last ``holdout`` share of each is held out."""

    corpora: list[CorpusName] = Field(default_factory=lambda: list(CORPORA))
    holdout: Annotated[float, Field(gt=0, lt=1)] = 0.1
    max_chars: Annotated[int | None, Field(ge=1000)] = None  # use only the start of each corpus
    block_size: Annotated[int, Field(ge=8)] = 128


class SweepSettings(Section):
    """Model sizes trained at one fixed token budget for the loss-vs-compute fit."""

    sizes: list[LlamaShape] = Field(default_factory=list)
    tokens: Annotated[int, Field(ge=1)] = 200_000


class PreferenceData(Section):
    """Preference pairs: hh-rlhf split by a seeded hash of the prompt text, or a ranked file.

    ``ranked_file`` is a JSONL of ``{"prompt", "responses": [...], "ranking": [...]}`` rows
    (best first; ``ranking`` optional when ``responses`` is already best-first), turned into
    every ordered pair; without it the pairs come from ``../shared/data/hh_rlhf``.
    """

    limit: int | None = 512  # training pairs (None: all that fit)
    heldout_percent: Annotated[int, Field(ge=1, le=50)] = 10
    split_seed: int = 0
    max_length: int = 512
    ranked_file: str | None = None


class RLPrompts(Section):
    """Prompts the policy continues: ToxiGen (hate prompts elicit toxicity) and DialogSum."""

    toxigen: Annotated[int, Field(ge=0)] = 64
    dialogsum: Annotated[int, Field(ge=0)] = 32
    seed: int = 0
    # ToxiGen prompts the toxicity suite scores with any --limit up to this are never trained on.
    exclude_eval_limit: Annotated[int, Field(ge=0)] = 20
    max_prompt_tokens: Annotated[int, Field(ge=16)] = 256
    # Keep only the last N statements of a ToxiGen prompt (None: all ~6): shorter prompts
    # make each RL step several times cheaper on a CPU and still set the direction.
    toxigen_statements: Annotated[int | None, Field(ge=1)] = None
