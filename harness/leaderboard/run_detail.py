"""One run in detail: its score tables, per-category breakdowns and full provenance."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from harness.leaderboard.export import format_ci
from harness.store import ModelRecord, RunRecord, ScoreRecord, TaskResultRecord


def _number(value: float | None) -> float | None:
    return None if value is None or math.isnan(value) else value


def score_rows(scores: Sequence[ScoreRecord], scope: str) -> list[dict[str, Any]]:
    """One flat row per score of ``scope`` (``task`` or ``aggregate``), in stored order."""
    return [
        {
            "name": s.name,
            "metric": s.metric,
            "value": _number(s.value),
            "stderr": _number(s.stderr),
            "ci_low": _number(s.ci_low),
            "ci_high": _number(s.ci_high),
            "95% CI": format_ci(s.ci_low, s.ci_high),
            "n": s.n,
        }
        for s in scores
        if s.scope == scope
    ]


def breakdown_metrics(scores: Sequence[ScoreRecord], suite: str) -> list[str]:
    """Metrics stored per category (aggregates named ``<suite>/<category>``)."""
    found: list[str] = []
    for s in scores:
        if s.scope == "aggregate" and s.name.startswith(f"{suite}/") and s.metric not in found:
            found.append(s.metric)
    return found


def category_breakdown(
    scores: Sequence[ScoreRecord], suite: str, metric: str
) -> list[dict[str, Any]]:
    """Per-category rows of ``metric`` (MMLU's STEM, humanities, ...), by category name."""
    rows = [
        {
            "category": s.name.removeprefix(f"{suite}/"),
            "value": _number(s.value),
            "ci_low": _number(s.ci_low),
            "ci_high": _number(s.ci_high),
            "n": s.n,
        }
        for s in scores
        if s.scope == "aggregate" and s.name.startswith(f"{suite}/") and s.metric == metric
    ]
    return sorted(rows, key=lambda r: str(r["category"]))


def task_bars(scores: Sequence[ScoreRecord], metric: str) -> list[dict[str, Any]]:
    """Per-task rows of ``metric`` for a bar chart with error bars."""
    return [
        {
            "task": s.name,
            "value": _number(s.value),
            "ci_low": _number(s.ci_low),
            "ci_high": _number(s.ci_high),
        }
        for s in scores
        if s.scope == "task" and s.metric == metric
    ]


def provenance(
    run: RunRecord, model: ModelRecord | None, task_results: Sequence[TaskResultRecord]
) -> dict[str, Any]:
    """Everything needed to reproduce the run: hashes, seeds, config, versions, timings."""
    return {
        "run": {
            "run_id": run.run_id,
            "status": run.status,
            "created_at": run.created_at.isoformat(),
            "suite": run.suite,
            "suite_hash": run.suite_hash,
            "harness_version": run.harness_version,
            "git_commit": run.git_commit,
            "device": run.device,
            "dtype": run.dtype,
            "wall_time_s": run.wall_time_s,
            "tokens_processed": run.tokens_processed,
            "error": run.error,
            "config": run.config,
        },
        "model": None if model is None else model.model_dump(),
        "tasks": [
            {
                "task": r.task,
                "task_hash": r.task_hash,
                "data_hash": r.data_hash,
                "num_fewshot": r.num_fewshot,
                "fewshot_seed": r.fewshot_seed,
                "n_items": r.n_items,
                "wall_time_s": r.wall_time_s,
                "tokens_processed": r.tokens_processed,
                "details": r.details,
            }
            for r in task_results
        ],
    }
