"""``harness store copy SRC DST``: merge one store's results into another, SQLite or PostgreSQL.

What moves: finished runs (complete or failed) with their model, attempts, task results,
scores and samples; variants; gate decisions. Each run is copied in one transaction, so a copy
that is interrupted leaves whole runs only, and running it again finishes the job.

What counts as "already there" (content identity, never a surrogate key): a run by its run
id (48 random bits; a run id that names a different run in DST — other creation time, model
or suite — is reported as a clash and left out, never merged), a model by its weights hash,
a variant by its id (a hash of its weights and lineage), a gate decision by when, which two
runs, which suite, policy and verdict. Runs still in progress are left out (their holder is
still writing them); kept served-model answers are a cache and are not copied.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Connection

from harness.store import sql
from harness.store.database import Store

# The runs row with its lease columns (status is in both lists once).
RUN_ROW_COLUMNS = (*sql.RUN_COLUMNS, *sql.LEASE_COLUMNS[2:])
# Per-run tables in the order foreign keys need, with the column that orders their rows.
RUN_TABLES: tuple[tuple[str, tuple[str, ...], str], ...] = (
    ("run_attempts", sql.ATTEMPT_COLUMNS, "attempt"),
    ("task_results", sql.TASK_RESULT_COLUMNS, "task"),
    ("scores", sql.SCORE_COLUMNS, "score_id"),
    ("samples", sql.SAMPLE_COLUMNS, "task, doc_id"),
)
RUN_IDENTITY = ("run_id", "created_at", "model_hash", "suite_hash")
GATE_IDENTITY = ("created_at", "baseline_run_id", "candidate_run_id", "suite", "policy", "verdict")


@dataclass
class CopyReport:
    """What a copy did, for the one-paragraph summary the CLI prints."""

    runs: int = 0
    samples: int = 0
    scores: int = 0
    variants: int = 0
    gate_decisions: int = 0
    runs_present: int = 0
    run_id_clashes: list[str] = field(default_factory=list)
    runs_in_progress: list[str] = field(default_factory=list)
    variants_present: int = 0
    variant_name_clashes: list[str] = field(default_factory=list)
    gate_decisions_present: int = 0


def copy_store(
    source: Store, target: Store, *, on_run: Callable[[str], None] | None = None
) -> CopyReport:
    """Copy what ``target`` lacks from ``source``; ``on_run`` is told of each run looked at."""
    report = CopyReport()
    _copy_variants(source, target, report)
    for run_id, status in _rows(source, "SELECT run_id, status FROM runs ORDER BY created_at"):
        if status == "running":
            report.runs_in_progress.append(str(run_id))
        else:
            _copy_run(source, target, str(run_id), report)
        if on_run is not None:
            on_run(str(run_id))
    _copy_gate_decisions(source, target, report)
    return report


def count_runs(store: Store) -> int:
    """How many runs ``store`` holds (the length of the copy's progress bar)."""
    return int(_rows(store, "SELECT COUNT(*) FROM runs")[0][0])


def _copy_run(source: Store, target: Store, run_id: str, report: CopyReport) -> None:
    key = {"run_id": run_id}
    (run,) = _dicts(source, sql.select_from("runs", RUN_ROW_COLUMNS, "run_id = :run_id"), key)
    with target.writing() as conn:
        there = conn.execute(text(sql.select_from("runs", RUN_IDENTITY, "run_id = :run_id")), key)
        found = there.mappings().first()
        if found is not None:
            if any(found[column] != run[column] for column in RUN_IDENTITY):
                report.run_id_clashes.append(run_id)
            else:
                report.runs_present += 1
            return
        model = _dicts(
            source,
            sql.select_from("models", sql.MODEL_COLUMNS, "model_hash = :h"),
            {"h": run["model_hash"]},
        )
        conn.execute(text(sql.insert_into("models", sql.MODEL_COLUMNS) + _ON_CONFLICT_MODEL), model)
        conn.execute(text(sql.insert_into("runs", RUN_ROW_COLUMNS)), run)
        for table, columns, order in RUN_TABLES:
            rows = _dicts(source, sql.select_from(table, columns, "run_id = :run_id", order), key)
            if rows:
                conn.execute(text(sql.insert_into(table, columns)), rows)
            report.samples += len(rows) if table == "samples" else 0
            report.scores += len(rows) if table == "scores" else 0
    report.runs += 1


def _copy_variants(source: Store, target: Store, report: CopyReport) -> None:
    """Variants oldest first, so a parent is stored before its children."""
    for variant in _dicts(source, sql.SELECT_VARIANTS, {}):
        with target.writing() as conn:
            if _present(conn, "variants", {"variant_id": variant["variant_id"]}):
                report.variants_present += 1
                continue
            if _present(conn, "variants", {"name": variant["name"]}):
                report.variant_name_clashes.append(str(variant["name"]))
                continue
            parent = variant["parent_id"]
            if parent is not None and not _present(conn, "variants", {"variant_id": parent}):
                report.variant_name_clashes.append(str(variant["name"]))  # its parent clashed
                continue
            conn.execute(text(sql.INSERT_VARIANT), variant)
            report.variants += 1


def _copy_gate_decisions(source: Store, target: Store, report: CopyReport) -> None:
    columns = sql.GATE_DECISION_COLUMNS
    for decision in _dicts(
        source, sql.select_from("gate_decisions", columns, order="decision_id"), {}
    ):
        identity = {column: decision[column] for column in GATE_IDENTITY}
        with target.writing() as conn:
            if _present(conn, "gate_decisions", identity):
                report.gate_decisions_present += 1
                continue
            runs = (decision["baseline_run_id"], decision["candidate_run_id"])
            if any(not _present(conn, "runs", {"run_id": run_id}) for run_id in runs):
                continue  # a run it compares was not copied (still running in the source)
            conn.execute(text(sql.insert_into("gate_decisions", columns)), decision)
            report.gate_decisions += 1


_ON_CONFLICT_MODEL = " ON CONFLICT (model_hash) DO NOTHING"


def _present(conn: Connection, table: str, match: dict[str, Any]) -> bool:
    where = " AND ".join(f"{column} = :{column}" for column in match)
    return conn.execute(text(f"SELECT 1 FROM {table} WHERE {where}"), match).first() is not None


def _rows(store: Store, statement: str) -> list[tuple[Any, ...]]:
    with store.reading() as conn:
        return [tuple(row) for row in conn.execute(text(statement))]


def _dicts(store: Store, statement: str, params: dict[str, Any]) -> list[dict[str, Any]]:
    with store.reading() as conn:
        return [dict(row) for row in conn.execute(text(statement), params).mappings()]
