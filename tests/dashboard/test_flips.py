"""Pairing two runs' items by content hash and finding the ones that flipped."""

from __future__ import annotations

import math

import pytest

from harness.leaderboard import (
    binary_metrics,
    choice_probabilities,
    filter_pairs,
    flip_counts,
    flip_of,
    pair_samples,
)
from harness.store import GenerationOutputs, MultipleChoiceOutputs, SampleRecord


def sample(run: str, doc: int, acc: float, doc_hash: str | None = None) -> SampleRecord:
    return SampleRecord(
        run_id=run,
        task="t",
        doc_id=doc,
        doc_hash=doc_hash or f"h{doc}",
        prompt_hash="p",
        target="x",
        prediction="y",
        outputs=GenerationOutputs(prompt="p", references=["x"], n_tokens=1),
        metrics={"acc": acc, "rouge1": 0.37},
    )


A = [sample("a", 0, 1), sample("a", 1, 1), sample("a", 2, 0), sample("a", 3, 0), sample("a", 4, 1)]
B = [sample("b", 0, 0), sample("b", 1, 1), sample("b", 2, 1), sample("b", 3, 0), sample("b", 9, 1)]


def test_items_pair_by_content_hash_not_position() -> None:
    shuffled = [sample("b", 7, 0, doc_hash="h0"), sample("b", 8, 1, doc_hash="h2")]
    pairs = pair_samples([A[0], A[2]], shuffled)
    assert [(p.a.doc_id, p.b.doc_id) for p in pairs if p.a and p.b] == [(0, 7), (2, 8)]


def test_each_pair_gets_its_flip() -> None:
    flips = [flip_of(p, "acc") for p in pair_samples(A, B)]
    assert flips == [
        "correct→wrong",
        "both correct",
        "wrong→correct",
        "both wrong",
        "unpaired",
        "unpaired",
    ]


def test_the_flip_filters_keep_only_their_items() -> None:
    pairs = pair_samples(A, B)
    assert [p.doc_id for p in filter_pairs(pairs, "acc", "correct→wrong")] == [0]
    assert [p.doc_id for p in filter_pairs(pairs, "acc", "wrong→correct")] == [2]
    assert [p.doc_id for p in filter_pairs(pairs, "acc", "flipped (either way)")] == [0, 2]
    assert len(filter_pairs(pairs, "acc", "all items")) == 6
    assert flip_counts(pairs, "acc")["unpaired"] == 2


def test_non_binary_metrics_do_not_flip() -> None:
    pairs = pair_samples(A, B)
    assert binary_metrics(A) == ["acc"]
    assert {flip_of(p, "rouge1") for p in pairs if p.a and p.b} == {"not scored"}


def test_choice_probabilities_are_the_softmax_of_the_choice_loglikelihoods() -> None:
    outputs = MultipleChoiceOutputs(
        prompt="p",
        choices=[" A", " B"],
        logprobs=[math.log(0.2), math.log(0.6)],
        is_greedy=[False, True],
        gold=1,
    )
    probabilities = choice_probabilities(outputs)
    assert probabilities is not None
    assert [c for c, _ in probabilities] == [" A", " B"]
    assert [p for _, p in probabilities] == pytest.approx([0.25, 0.75])
    assert choice_probabilities(GenerationOutputs(prompt="p", references=["x"], n_tokens=1)) is None


def test_a_choice_stored_without_a_log_probability_gets_probability_zero() -> None:
    outputs = MultipleChoiceOutputs.model_validate(
        {
            "prompt": "p",
            "choices": [" A", " B"],
            "logprobs": [None, -1.0],
            "is_greedy": [],
            "gold": 0,
        }
    )
    assert choice_probabilities(outputs) == [(" A", 0.0), (" B", 1.0)]
