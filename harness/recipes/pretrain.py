"""Pre-train a small Llama from scratch: its own BPE tokenizer, then next-token prediction.

The corpora are Tiny Shakespeare and WikiText-2 (raw), each with its last 10% held out.
The loop is a plain ``transformers.Trainer`` over fixed-length token blocks (checkpoints
and resume come with it); the held-out loss is a plain ``torch.no_grad`` pass at the end.
The result is a root variant of kind ``base``: it has no parent, and loads from its folder.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

from pydantic import Field

from harness.training.bpe import train_bpe
from harness.training.corpus import CorpusSplit, load_corpora
from harness.training.run_dir import RunDir
from harness.training.sections import (
    CorpusData,
    LlamaShape,
    Section,
    SweepSettings,
    TrainSettings,
)
from harness.training.session import RecipeSession
from harness.training.trainer import argument_values, run_trainer

if TYPE_CHECKING:
    from harness.registry import Variant

EVAL_BATCH = 16


class TokenizerSettings(Section):
    vocab_size: Annotated[int, Field(ge=300)] = 4096
    min_frequency: Annotated[int, Field(ge=1)] = 2


class Config(Section):
    """Pre-training from scratch has no parent: the tokenizer and the model are both new."""

    name: str
    seed: int = 42
    tokenizer: TokenizerSettings = Field(default_factory=TokenizerSettings)
    model: LlamaShape = Field(default_factory=LlamaShape)
    data: CorpusData = Field(default_factory=CorpusData)
    train: TrainSettings = Field(default_factory=TrainSettings)
    sweep: SweepSettings = Field(default_factory=SweepSettings)


def train(session: RecipeSession[Config]) -> Variant:
    """Train a new BPE tokenizer and a randomly initialised Llama on the corpora; registers a
    root variant of kind ``base`` (no parent, loads from its folder) with its held-out
    losses, vocabulary size, non-embedding parameters, tokens seen and FLOPs."""
    from transformers import Trainer, TrainingArguments

    config = session.config
    run = session.run_dir()
    corpora = load_corpora(list(config.data.corpora), config.data.holdout, config.data.max_chars)
    with session.world.main_first():  # trained and saved once, read by the other processes
        tokenizer = corpus_tokenizer(run, corpora, config)
    block = config.data.block_size
    train_blocks = token_blocks(tokenizer, [c.train for c in corpora], block)
    heldout = {c.name: token_blocks(tokenizer, [c.heldout], block) for c in corpora}
    session.seed_everything()
    model = build_llama(config.model, tokenizer, block)
    non_embedding = non_embedding_params(model)
    print(
        f"{len(train_blocks):,} training blocks of {block} tokens; vocabulary {len(tokenizer):,}; "
        f"{non_embedding:,} non-embedding parameters"
    )
    from datasets import Dataset

    dataset = Dataset.from_dict({"input_ids": train_blocks, "labels": train_blocks})
    args = TrainingArguments(**argument_values(config.train, run, config.seed))
    trainer = Trainer(model=model, args=args, train_dataset=dataset, processing_class=tokenizer)
    outcome = run_trainer(
        trainer,
        run,
        description=f"pretrain {session.name}",
        callbacks=session.callbacks,
        evaluate=lambda trained: heldout_losses(trained, heldout),
    )
    batch = session.batch or {"effective": config.train.batch_size * config.train.grad_accum}
    tokens = outcome.steps * batch["effective"] * block
    return session.register(
        kind="base",
        parent=None,
        model=outcome.model,
        tokenizer=tokenizer,
        run=run,
        data_hash=corpus_hash(corpora),
        outcome=outcome,
        details={
            "vocab_size": len(tokenizer),
            "non_embedding_params": non_embedding,
            "tokens": tokens,
            "flops": 6.0 * non_embedding * tokens,
        },
    )


def corpus_tokenizer(run: RunDir, corpora: list[CorpusSplit], config: Config) -> Any:
    """The run's BPE tokenizer: trained on the train text once, reused when the run resumes."""
    from transformers import PreTrainedTokenizerFast

    folder = run.root / "tokenizer"
    if (folder / "tokenizer.json").is_file():
        return PreTrainedTokenizerFast.from_pretrained(str(folder))
    tokenizer = train_bpe(
        [c.train for c in corpora],
        vocab_size=config.tokenizer.vocab_size,
        min_frequency=config.tokenizer.min_frequency,
    )
    tokenizer.save_pretrained(str(folder))
    return tokenizer


def token_blocks(tokenizer: Any, texts: list[str], block: int) -> list[list[int]]:
    """The texts tokenised, joined with end-of-text, cut into full blocks (the rest dropped)."""
    ids: list[int] = []
    for text in texts:
        ids.extend(_encode(tokenizer, text))
        ids.append(tokenizer.eos_token_id)
    return [ids[i : i + block] for i in range(0, len(ids) - block + 1, block)]


def _encode(tokenizer: Any, text: str) -> list[int]:
    # The backend tokenizer skips the "longer than model_max_length" check of the wrapper.
    return list(tokenizer.backend_tokenizer.encode(text).ids)


def build_llama(shape: LlamaShape, tokenizer: Any, context: int) -> Any:
    """A randomly initialised LlamaForCausalLM of ``shape`` (tied input/output embeddings)."""
    from transformers import LlamaConfig, LlamaForCausalLM

    if shape.hidden % shape.heads or shape.heads % shape.kv_heads:
        from harness.errors import HarnessError

        raise HarnessError(
            f"model.hidden ({shape.hidden}) must divide by model.heads ({shape.heads}) and heads "
            f"by model.kv_heads ({shape.kv_heads}); change the model shape"
        )
    config = LlamaConfig(
        vocab_size=len(tokenizer),
        hidden_size=shape.hidden,
        intermediate_size=shape.intermediate,
        num_hidden_layers=shape.layers,
        num_attention_heads=shape.heads,
        num_key_value_heads=shape.kv_heads,
        max_position_embeddings=context,
        tie_word_embeddings=True,
        bos_token_id=tokenizer.eos_token_id,
        eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
    )
    return LlamaForCausalLM(config)


def non_embedding_params(model: Any) -> int:
    """Parameters outside the (tied) token embedding: the N of the scaling laws."""
    total = sum(p.numel() for p in model.parameters())
    return total - model.get_input_embeddings().weight.numel()


def heldout_losses(model: Any, heldout: dict[str, list[list[int]]]) -> dict[str, float]:
    """Mean next-token loss on each corpus's held-out blocks, and over all of them."""
    import torch

    model.eval()
    device = next(model.parameters()).device
    losses: dict[str, float] = {}
    total, count = 0.0, 0
    with torch.no_grad():
        for name, blocks in heldout.items():
            corpus_total = 0.0
            for start in range(0, len(blocks), EVAL_BATCH):
                batch = torch.tensor(blocks[start : start + EVAL_BATCH], device=device)
                loss = model(input_ids=batch, labels=batch).loss.float().item()
                corpus_total += loss * len(batch)
            if blocks:
                losses[f"eval_loss_{name}"] = corpus_total / len(blocks)
                total += corpus_total
                count += len(blocks)
    if count:
        losses["eval_loss"] = total / count
    return losses


def corpus_hash(corpora: list[CorpusSplit]) -> str:
    """The variant's ``data_hash``: the training text of each corpus, in order."""
    from harness.registry import training_data_hash

    return training_data_hash({"corpus": c.name, "text": c.train} for c in corpora)
