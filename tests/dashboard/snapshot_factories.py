"""Hand-built snapshots: exact numbers for the leaderboard's pure functions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from harness.leaderboard import Snapshot
from harness.store import ModelRecord, RunRecord, ScoreRecord, TaskResultRecord

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def model(name: str, n_parameters: int = 1000, **details: Any) -> ModelRecord:
    return ModelRecord(
        model_hash=f"hash-{name}",
        spec=name,
        name=name,
        source=f"hub:org/{name}",
        n_parameters=n_parameters,
        dtype="float32",
        details=details,
    )


def run(
    run_id: str,
    name: str,
    suite: str,
    minutes: int = 0,
    dtype: str = "float32",
    status: str = "complete",
) -> RunRecord:
    return RunRecord(
        run_id=run_id,
        created_at=T0 + timedelta(minutes=minutes),
        status=status,  # type: ignore[arg-type]
        suite=suite,
        suite_hash="s",
        model_spec=name,
        model_hash=f"hash-{name}",
        harness_version="0.1.0",
        git_commit=None,
        device="cpu",
        dtype=dtype,
        config={},
    )


def score(
    run_id: str,
    name: str,
    metric: str,
    value: float,
    scope: str = "aggregate",
    ci: tuple[float, float] | None = None,
    stderr: float | None = None,
    higher_is_better: bool = True,
    n: int = 10,
) -> ScoreRecord:
    return ScoreRecord(
        run_id=run_id,
        scope=scope,  # type: ignore[arg-type]
        name=name,
        metric=metric,
        value=value,
        stderr=stderr,
        ci_low=ci[0] if ci else None,
        ci_high=ci[1] if ci else None,
        n=n,
        higher_is_better=higher_is_better,
    )


def task_result(
    run_id: str, task: str, n_items: int = 10, task_hash: str = "t"
) -> TaskResultRecord:
    return TaskResultRecord(
        run_id=run_id,
        task=task,
        task_hash=task_hash,
        data_hash="d",
        num_fewshot=0,
        fewshot_seed=None,
        n_items=n_items,
        wall_time_s=1.0,
        tokens_processed=10,
    )


def snapshot(
    runs: list[RunRecord],
    models: list[ModelRecord],
    scores: list[ScoreRecord],
    task_results: list[TaskResultRecord] | None = None,
) -> Snapshot:
    ordered = sorted(runs, key=lambda r: r.created_at, reverse=True)
    return Snapshot(
        runs=ordered,
        models={m.model_hash: m for m in models},
        scores={r.run_id: [s for s in scores if s.run_id == r.run_id] for r in runs},
        task_results={
            r.run_id: [t for t in task_results or [] if t.run_id == r.run_id] for r in runs
        },
    )
