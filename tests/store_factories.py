"""Valid records with sensible defaults, so each test spells out only what it is about."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from harness.store import (
    ModelRecord,
    MultipleChoiceOutputs,
    RunRecord,
    SampleRecord,
    ScoreRecord,
    Store,
    TaskResultRecord,
)

MODEL_HASH = "a" * 64
T0 = datetime(2025, 1, 2, 3, 4, 5, 678901, tzinfo=UTC)


def a_model(**changes: Any) -> ModelRecord:
    fields: dict[str, Any] = {
        "model_hash": MODEL_HASH,
        "spec": "smollm2-135m-instruct",
        "name": "SmolLM2-135M-Instruct",
        "source": "hub:HuggingFaceTB/SmolLM2-135M-Instruct",
        "n_parameters": 134_515_008,
        "dtype": "bfloat16",
        "details": {"architecture": "llama", "context_length": 8192},
    }
    return ModelRecord(**(fields | changes))


def a_run(run_id: str = "0123456789ab", **changes: Any) -> RunRecord:
    fields: dict[str, Any] = {
        "run_id": run_id,
        "created_at": T0,
        "status": "running",
        "suite": "smoke",
        "suite_hash": "s" * 64,
        "model_spec": "smollm2-135m-instruct",
        "model_hash": MODEL_HASH,
        "harness_version": "0.1.0",
        "git_commit": "c" * 40,
        "device": "cpu",
        "dtype": "bfloat16",
        "config": {"limit": 10, "shots": 0, "tasks": ["arc_easy"], "seeds": {"fewshot": 1234}},
    }
    return RunRecord(**(fields | changes))


def a_task_result(
    run_id: str = "0123456789ab", task: str = "arc_easy", **changes: Any
) -> TaskResultRecord:
    fields: dict[str, Any] = {
        "run_id": run_id,
        "task": task,
        "task_hash": "t" * 64,
        "data_hash": "d" * 64,
        "num_fewshot": 0,
        "fewshot_seed": 1234,
        "n_items": 2,
        "wall_time_s": 1.5,
        "tokens_processed": 321,
        "details": {"category": "stem"},
    }
    return TaskResultRecord(**(fields | changes))


def a_score(run_id: str = "0123456789ab", name: str = "arc_easy", **changes: Any) -> ScoreRecord:
    fields: dict[str, Any] = {
        "run_id": run_id,
        "scope": "task",
        "name": name,
        "metric": "acc",
        "value": 0.5,
        "stderr": 0.25,
        "ci_low": 0.1,
        "ci_high": 0.9,
        "n": 2,
        "higher_is_better": True,
        "extra": {"method": "bootstrap"},
    }
    return ScoreRecord(**(fields | changes))


def a_sample(
    doc_id: int = 0, run_id: str = "0123456789ab", task: str = "arc_easy", **changes: Any
) -> SampleRecord:
    fields: dict[str, Any] = {
        "run_id": run_id,
        "task": task,
        "doc_id": doc_id,
        "doc_hash": f"doc{doc_id}",
        "prompt_hash": f"prompt{doc_id}",
        "target": "1",
        "prediction": "1",
        "outputs": MultipleChoiceOutputs(
            prompt="Question: 1 or 0?\nAnswer:",
            choices=[" 0", " 1"],
            logprobs=[-1.25, -0.5],
            is_greedy=[False, True],
            gold=1,
        ),
        "metrics": {"acc": 1.0},
    }
    return SampleRecord(**(fields | changes))


def store_with_run(store: Store, run_id: str = "0123456789ab", **changes: Any) -> RunRecord:
    """Store the model and a running run, as the runner does before any task."""
    store.upsert_model(a_model())
    run = a_run(run_id, **changes)
    store.create_run(run)
    return run


def minutes(n: int) -> timedelta:
    return timedelta(minutes=n)
