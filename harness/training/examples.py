"""Training examples as prompt/completion pairs, built with the evaluation task's own prompt.

The DialogSum prompt is read from ``suites/tasks/dialogsum.yaml`` (task ``dialogsum_0shot``)
so training and evaluation can never drift apart: one template, kept in one place. The
completion is rendered the way that task renders few-shot targets.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from harness.data import load_split, resolve_data_root
from harness.data.readers import read_docs
from harness.errors import HarnessError
from harness.tasks.templates import render
from harness.training.sections import SFTData

DIALOGSUM_SUITE = "dialogsum"
DIALOGSUM_TASK = "dialogsum_0shot"
ALPACA_FILE = "alpaca/alpaca_data_sample5000.jsonl"


@dataclass(frozen=True)
class Example:
    """One supervised example: the loss is taken on ``completion`` only."""

    prompt: str
    completion: str
    source: str


def dialogsum_examples(
    *, limit: int | None, seed: int, max_length: int, tokenizer: Any, split: str = "train"
) -> list[Example]:
    """A seeded sample of ``limit`` DialogSum dialogues whose prompt + summary fit ``max_length`` tokens."""
    from harness.tasks import load_suite

    suite = load_suite(DIALOGSUM_SUITE)
    (task,) = suite.select([DIALOGSUM_TASK])
    loaded = load_split(task.dataset, split, resolve_data_root(), task=task.task, render=render)
    target = task.fewshot_config.doc_to_target or "{{ summary }}"
    where = f"task '{task.task}' (training examples)"

    def build(doc: dict[str, Any]) -> Example:
        prompt = render(task.doc_to_text, doc, where=where)
        completion = task.target_delimiter + render(target, doc, where=where)
        return Example(prompt=prompt, completion=completion, source="dialogsum")

    return _sample_fitting(loaded.docs, build, limit, seed, max_length, tokenizer)


def sft_examples(data: SFTData, tokenizer: Any) -> list[Example]:
    """The DialogSum training examples a recipe's ``data`` block selects."""
    return dialogsum_examples(
        limit=data.limit, seed=data.seed, max_length=data.max_length, tokenizer=tokenizer
    )


def alpaca_examples(*, limit: int, seed: int, max_length: int, tokenizer: Any) -> list[Example]:
    """A seeded sample of Alpaca instructions in the Alpaca paper's prompt format."""
    root = resolve_data_root()
    path = root / ALPACA_FILE if root is not None else None
    if path is None or not path.is_file():
        raise HarnessError(
            f"Alpaca sample not found ({ALPACA_FILE} under the data root); set $HARNESS_DATA_DIR"
        )
    docs = read_docs(path, "jsonl")

    def build(doc: dict[str, Any]) -> Example:
        return Example(prompt=alpaca_prompt(doc), completion=str(doc["output"]), source="alpaca")

    return _sample_fitting(docs, build, limit, seed, max_length, tokenizer)


def alpaca_prompt(doc: dict[str, Any]) -> str:
    """The Stanford Alpaca template (with or without an input)."""
    if doc.get("input"):
        return (
            "Below is an instruction that describes a task, paired with an input that provides "
            "further context. Write a response that appropriately completes the request.\n\n"
            f"### Instruction:\n{doc['instruction']}\n\n### Input:\n{doc['input']}\n\n### Response:\n"
        )
    return (
        "Below is an instruction that describes a task. Write a response that appropriately "
        f"completes the request.\n\n### Instruction:\n{doc['instruction']}\n\n### Response:\n"
    )


def examples_hash(examples: list[Example]) -> str:
    """The variant's ``data_hash``: exactly the examples trained on, in order."""
    from harness.registry import training_data_hash

    return training_data_hash(asdict(e) for e in examples)


def shuffled(examples: list[Example], seed: int) -> list[Example]:
    """A seeded shuffle, so a mixture does not train on one source and then the other."""
    mixed = list(examples)
    random.Random(seed).shuffle(mixed)
    return mixed


def _sample_fitting(
    docs: list[dict[str, Any]],
    build: Callable[[dict[str, Any]], Example],
    limit: int | None,
    seed: int,
    max_length: int,
    tokenizer: Any,
) -> list[Example]:
    """Walk a seeded permutation, keeping examples that fit; truncating would cut the answer off."""
    order = list(range(len(docs)))
    random.Random(seed).shuffle(order)
    chosen: list[Example] = []
    for index in order:
        if limit is not None and len(chosen) >= limit:
            break
        example = build(docs[index])
        # +1 for the end-of-sequence token the trainer appends to the completion.
        length = len(tokenizer(example.prompt + example.completion)["input_ids"]) + 1
        if length <= max_length:
            chosen.append(example)
    if not chosen:
        raise HarnessError(f"no training example fits max_length={max_length}; raise it")
    return chosen
