"""Training examples use the DialogSum evaluation prompt, and are sampled reproducibly."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness.training.examples import alpaca_examples, dialogsum_examples, examples_hash


@pytest.fixture(scope="module")
def tokenizer():  # type: ignore[no-untyped-def]
    from harness.models import load_model

    return load_model("tiny-random-llama").tokenizer


def test_the_prompt_is_the_eval_tasks_zero_shot_prompt(shared_data: Path, tokenizer) -> None:  # type: ignore[no-untyped-def]
    (example,) = dialogsum_examples(limit=1, seed=0, max_length=512, tokenizer=tokenizer)
    train = [json.loads(line) for line in (shared_data / "dialogsum/dialogsum.train.jsonl").open()]
    doc = next(d for d in train if d["summary"] == example.completion)
    # suites/tasks/dialogsum.yaml: doc_to_text, target_delimiter "" and few-shot target summary.
    assert (
        example.prompt
        == f"Summarize the following conversation.\n\n{doc['dialogue']}\n\nSummary:\n"
    )


def test_samples_are_seeded_and_fit_the_length(shared_data: Path, tokenizer) -> None:  # type: ignore[no-untyped-def]
    first = dialogsum_examples(limit=5, seed=3, max_length=200, tokenizer=tokenizer)
    again = dialogsum_examples(limit=5, seed=3, max_length=200, tokenizer=tokenizer)
    other = dialogsum_examples(limit=5, seed=4, max_length=200, tokenizer=tokenizer)
    assert examples_hash(first) == examples_hash(again) != examples_hash(other)
    for example in first:
        assert len(tokenizer(example.prompt + example.completion)["input_ids"]) < 200


def test_alpaca_examples_use_the_alpaca_template(shared_data: Path, tokenizer) -> None:  # type: ignore[no-untyped-def]
    examples = alpaca_examples(limit=3, seed=0, max_length=512, tokenizer=tokenizer)
    assert len(examples) == 3
    for example in examples:
        assert example.prompt.startswith("Below is an instruction that describes a task")
        assert example.prompt.endswith("### Response:\n")
        assert example.source == "alpaca"
