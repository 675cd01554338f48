"""Typed sample outputs: each kind round-trips, and the stored JSON is the text it always was.

The expected JSON below is built by hand from what the runner's ``_sample`` wrote when outputs
were a plain dict (keys, which are optional, which may be null), encoded as the store always
encoded JSON: sorted keys, compact, non-ASCII kept.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from typing import Any

import pytest
from pydantic import ValidationError
from raw_store import raw_connection, raw_rows
from sqlalchemy import text as sql_text
from store_factories import a_sample, a_task_result, store_with_run

from harness.store import (
    GeneratedRepeat,
    GenerationOutputs,
    MultipleChoiceOutputs,
    RollingOutputs,
    SampleOutputs,
    Store,
    open_store,
)
from harness.store.codec import encode_json

MC_COPIES: list[dict[str, Any]] = [
    {
        "family": "robustness",
        "perturbation": "lowercase",
        "seed": 0,
        "fields": {"question": "is the sky blue?"},
        "changed": True,
        "logprobs": [-0.75, -2.5],
        "metrics": {"acc": 1.0},
    },
    {
        "family": "fairness",
        "perturbation": "dialect",
        "seed": 0,
        "fields": {"question": "Is the sky blue?"},
        "changed": False,
        "logprobs": [-0.25, -3.5],
        "metrics": {"acc": None},  # a NaN per-item value, as the perturbation code stores it
    },
]
GENERATION_COPIES: list[dict[str, Any]] = [
    {
        "family": "robustness",
        "perturbation": "typos",
        "seed": 1,
        "fields": {"question": "Waht is 2+2?"},
        "changed": True,
        "prediction": "4",
        "n_tokens": 3,
        "metrics": {"exact_match": 1.0},
    }
]

# (typed outputs as the runner builds them, the dict the runner wrote before they were typed)
CASES: dict[str, tuple[SampleOutputs, dict[str, Any]]] = {
    "multiple choice": (
        MultipleChoiceOutputs(
            prompt="Question: Is the sky blue?\nAnswer:",
            choices=[" yes", " no"],
            logprobs=[-0.25, -3.5],
            is_greedy=[True, False],
            gold=0,
        ),
        {
            "prompt": "Question: Is the sky blue?\nAnswer:",
            "choices": [" yes", " no"],
            "logprobs": [-0.25, -3.5],
            "is_greedy": [True, False],
            "gold": 0,
        },
    ),
    "multiple choice, no greediness, with perturbed copies": (
        MultipleChoiceOutputs(
            prompt="Question: Is the sky blue?\nAnswer:",
            perturbations=MC_COPIES,
            choices=[" yes", " no"],
            logprobs=[-0.25, -3.5],
            is_greedy=[],
            gold=1,
        ),
        {
            "prompt": "Question: Is the sky blue?\nAnswer:",
            "perturbations": MC_COPIES,
            "choices": [" yes", " no"],
            "logprobs": [-0.25, -3.5],
            "is_greedy": [],
            "gold": 1,
        },
    ),
    "generation, no token count": (
        GenerationOutputs(prompt="Übersetze: chat →", references=["cat", "kitty"], n_tokens=None),
        {"prompt": "Übersetze: chat →", "references": ["cat", "kitty"], "n_tokens": None},
    ),
    "generation with repeats, raw prediction and perturbed copies": (
        GenerationOutputs(
            prompt="Q: What is 2+2?\nA:",
            perturbations=GENERATION_COPIES,
            references=["4"],
            n_tokens=6,
            repeats=[
                GeneratedRepeat(text="The answer is 4", n_tokens=6),
                GeneratedRepeat(text="4", n_tokens=2),
            ],
            raw_prediction="The answer is 4",
        ),
        {
            "prompt": "Q: What is 2+2?\nA:",
            "perturbations": GENERATION_COPIES,
            "references": ["4"],
            "n_tokens": 6,
            "repeats": [{"text": "The answer is 4", "n_tokens": 6}, {"text": "4", "n_tokens": 2}],
            "raw_prediction": "The answer is 4",
        },
    ),
    "rolling": (
        RollingOutputs(prompt="The cat sat.", logprob=-23.75, n_tokens=5, n_bytes=12, n_words=3),
        {"prompt": "The cat sat.", "logprob": -23.75, "n_tokens": 5, "n_bytes": 12, "n_words": 3},
    ),
    "rolling, empty text without words": (
        RollingOutputs(prompt="", logprob=0.0, n_tokens=0, n_bytes=0, n_words=None),
        {"prompt": "", "logprob": 0.0, "n_tokens": 0, "n_bytes": 0, "n_words": None},
    ),
}


def written_before(outputs: dict[str, Any]) -> str:
    """The text the store wrote for an outputs dict: sorted keys, compact, strict, UTF-8 kept."""
    return json.dumps(outputs, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def stored_outputs(store: Store) -> str:
    """The raw ``outputs`` column of the store's only sample."""
    ((text,),) = raw_rows(store.location, "SELECT outputs FROM samples")
    assert isinstance(text, str)
    return text


@pytest.fixture
def store(store_at: str) -> Iterator[Store]:
    with open_store(store_at) as opened:
        store_with_run(opened)
        yield opened


@pytest.mark.parametrize("case", list(CASES))
def test_each_kind_is_stored_as_the_exact_text_written_before(store: Store, case: str) -> None:
    outputs, written = CASES[case]
    store.commit_task(a_task_result(), [], [a_sample(outputs=outputs)])
    assert stored_outputs(store) == written_before(written)


@pytest.mark.parametrize("case", list(CASES))
def test_each_kind_round_trips_through_the_store_as_the_same_typed_record(
    store: Store, case: str
) -> None:
    outputs, _ = CASES[case]
    sample = a_sample(outputs=outputs)
    store.commit_task(a_task_result(), [], [sample])
    (stored,) = store.get_samples(sample.run_id)
    assert type(stored.outputs) is type(outputs)
    assert stored == sample


@pytest.mark.parametrize("case", list(CASES))
def test_text_an_older_store_holds_reads_back_as_its_kind(store: Store, case: str) -> None:
    outputs, written = CASES[case]
    store.commit_task(a_task_result(), [], [a_sample(outputs=outputs)])
    with raw_connection(store.location) as conn:  # the column as the untyped runner wrote it
        conn.execute(sql_text("UPDATE samples SET outputs = :o"), {"o": written_before(written)})
    (stored,) = store.get_samples(a_sample().run_id)
    assert stored.outputs == outputs


def test_the_kind_is_read_from_the_keys_present() -> None:
    kinds = {case: type(a_sample(outputs=written).outputs) for case, (_, written) in CASES.items()}
    assert kinds == {case: type(outputs) for case, (outputs, _) in CASES.items()}
    assert [outputs.kind for outputs, _ in CASES.values()] == [
        "multiple_choice",
        "multiple_choice",
        "generation",
        "generation",
        "rolling",
        "rolling",
    ]


def test_a_non_finite_log_probability_is_stored_as_null_and_reads_back_as_nan(
    store: Store,
) -> None:
    outputs = MultipleChoiceOutputs(
        prompt="p", choices=[" a", " b"], logprobs=[-math.inf, -1.0], is_greedy=[], gold=1
    )
    store.commit_task(a_task_result(), [], [a_sample(outputs=outputs)])
    text = stored_outputs(store)
    assert (
        text
        == '{"choices":[" a"," b"],"gold":1,"is_greedy":[],"logprobs":[null,-1.0],"prompt":"p"}'
    )
    (stored,) = store.get_samples(a_sample().run_id)
    assert isinstance(stored.outputs, MultipleChoiceOutputs)
    assert math.isnan(stored.outputs.logprobs[0]) and stored.outputs.logprobs[1] == -1.0
    assert encode_json(stored.outputs.model_dump()) == text  # written back, the same text


def test_an_integer_log_probability_keeps_its_stored_text() -> None:
    outputs = RollingOutputs(prompt="", logprob=0, n_tokens=0, n_bytes=0, n_words=0)
    assert written_before(outputs.model_dump()) == (
        '{"logprob":0,"n_bytes":0,"n_tokens":0,"n_words":0,"prompt":""}'
    )


def test_an_unknown_output_key_is_refused() -> None:
    with pytest.raises(ValidationError, match="answer"):
        a_sample(outputs={"prompt": "p", "references": ["x"], "n_tokens": 1, "answer": "x"})


def test_outputs_missing_a_kinds_field_are_refused() -> None:
    with pytest.raises(ValidationError, match="gold"):
        a_sample(outputs={"prompt": "p", "choices": [" a"], "logprobs": [-1.0], "is_greedy": []})
