"""Every SQL statement the store runs, in one place.

Plain SQL that SQLite and PostgreSQL both run (named parameters, ``ON CONFLICT``, ``substr``,
``RETURNING``, no rowid tricks), executed through SQLAlchemy Core's ``text()``, which turns the
``:name`` parameters into each driver's style. The tables themselves are created by the Alembic
revisions in ``harness/store/migrations``. Column names equal record field names, so rows map
onto records by name.
"""

from __future__ import annotations

from collections.abc import Sequence

SCHEMA_VERSION = 4
# Older stores are upgraded in place by the Alembic revisions in harness/store/migrations.
MIGRATABLE_VERSIONS = (1, 2, 3)

MODEL_COLUMNS = ("model_hash", "spec", "name", "source", "n_parameters", "dtype", "details")
RUN_COLUMNS = (
    "run_id",
    "created_at",
    "status",
    "suite",
    "suite_hash",
    "model_spec",
    "model_hash",
    "harness_version",
    "git_commit",
    "device",
    "dtype",
    "config",
    "wall_time_s",
    "tokens_processed",
    "error",
)
TASK_RESULT_COLUMNS = (
    "run_id",
    "task",
    "task_hash",
    "data_hash",
    "num_fewshot",
    "fewshot_seed",
    "n_items",
    "wall_time_s",
    "tokens_processed",
    "details",
)
SCORE_COLUMNS = (
    "run_id",
    "scope",
    "name",
    "metric",
    "value",
    "stderr",
    "ci_low",
    "ci_high",
    "n",
    "higher_is_better",
    "extra",
)
SAMPLE_COLUMNS = (
    "run_id",
    "task",
    "doc_id",
    "doc_hash",
    "prompt_hash",
    "target",
    "prediction",
    "outputs",
    "metrics",
)

VARIANT_COLUMNS = (
    "variant_id",
    "name",
    "kind",
    "parent_id",
    "spec",
    "path",
    "recipe",
    "config_hash",
    "data_hash",
    "weights_hash",
    "total_params",
    "trainable_params",
    "size_bytes",
    "training_seconds",
    "final_losses",
    "details",
    "created_at",
)

# Who holds a running run and when it last showed signs of life (see harness.runner.lease).
# Kept apart from RUN_COLUMNS: a run's record is what it computed, the lease is who is
# computing it, and a reader of results never needs the second.
LEASE_COLUMNS = ("run_id", "status", "lease_token", "lease_host", "lease_pid", "heartbeat_at")

# One row per process that worked on a run: a resumed run keeps every attempt's figures.
ATTEMPT_COLUMNS = (
    "run_id",
    "attempt",
    "started_at",
    "host",
    "pid",
    "status",
    "wall_time_s",
    "tokens_processed",
    "error",
)

GATE_DECISION_COLUMNS = (
    "created_at",
    "baseline_run_id",
    "candidate_run_id",
    "suite",
    "verdict",
    "policy",
    "exit_code",
    "margins",
    "comparison",
)

# Creation order respects foreign keys; ``count_rows`` reports in this order too.
TABLES = (
    "schema_version",
    "models",
    "runs",
    "task_results",
    "scores",
    "samples",
    "gate_decisions",
    "variants",
    "run_attempts",
    "answers",
)


def insert_into(table: str, columns: Sequence[str]) -> str:
    """``INSERT`` of one row into ``table``, a named parameter per column."""
    names = ", ".join(columns)
    params = ", ".join(f":{column}" for column in columns)
    return f"INSERT INTO {table} ({names}) VALUES ({params})"


def select_from(table: str, columns: Sequence[str], where: str = "", order: str = "") -> str:
    """``SELECT`` of ``columns`` from ``table``, with an optional condition and order."""
    statement = f"SELECT {', '.join(columns)} FROM {table}"
    statement += f" WHERE {where}" if where else ""
    return statement + (f" ORDER BY {order}" if order else "")


def count_rows(table: str) -> str:
    """Statement counting the rows of one of :data:`TABLES` (never user input)."""
    if table not in TABLES:
        raise ValueError(f"unknown store table {table!r}")
    return f"SELECT COUNT(*) FROM {table}"


SELECT_SCHEMA_VERSION = "SELECT version FROM schema_version"
CHANGE_STAMP = (
    "SELECT (SELECT COUNT(*) FROM runs), (SELECT COUNT(*) FROM task_results),"
    " (SELECT COUNT(*) FROM scores), (SELECT COUNT(*) FROM gate_decisions),"
    " (SELECT COUNT(*) FROM variants),"
    " (SELECT COUNT(*) FROM runs WHERE status = 'running')"
)

UPSERT_MODEL = (
    insert_into("models", MODEL_COLUMNS)
    + " ON CONFLICT (model_hash) DO UPDATE SET "
    + ", ".join(f"{column} = excluded.{column}" for column in MODEL_COLUMNS[1:])
)
SELECT_MODEL = select_from("models", MODEL_COLUMNS) + " WHERE model_hash = :model_hash"
MODEL_EXISTS = "SELECT 1 FROM models WHERE model_hash = :model_hash"

INSERT_RUN = insert_into("runs", RUN_COLUMNS)
RUN_EXISTS = "SELECT 1 FROM runs WHERE run_id = :run_id"
# PostgreSQL only: hold the run's row until COMMIT, so a lease checked in this transaction
# cannot change hands before its writes land (SQLite's BEGIN IMMEDIATE already serialises).
LOCK_RUN = "SELECT 1 FROM runs WHERE run_id = :run_id FOR UPDATE"
SELECT_RUN = select_from("runs", RUN_COLUMNS) + " WHERE run_id = :run_id"
SELECT_RUNS_BY_PREFIX = (
    select_from("runs", RUN_COLUMNS)
    + " WHERE substr(run_id, 1, :length) = :prefix"
    + " ORDER BY created_at DESC, run_id DESC LIMIT :limit"
)
SELECT_RUNS = select_from("runs", RUN_COLUMNS) + " ORDER BY created_at DESC, run_id DESC"
SELECT_RUNS_LIMITED = SELECT_RUNS + " LIMIT :limit"
FINISH_RUN = (
    "UPDATE runs SET status = :status, wall_time_s = :wall_time_s,"
    " tokens_processed = :tokens_processed, error = :error WHERE run_id = :run_id"
)

# -- leases: every change is conditional on the token the writer holds (or last saw), so of
# two processes racing for a run exactly one UPDATE matches a row.
SELECT_LEASE = select_from("runs", LEASE_COLUMNS) + " WHERE run_id = :run_id"
SELECT_LEASES = select_from("runs", LEASE_COLUMNS)
SET_LEASE = (
    "UPDATE runs SET lease_token = :lease_token, lease_host = :lease_host,"
    " lease_pid = :lease_pid, heartbeat_at = :heartbeat_at WHERE run_id = :run_id"
)
TAKE_LEASE = (
    "UPDATE runs SET status = 'running', error = NULL, lease_token = :lease_token,"
    " lease_host = :lease_host, lease_pid = :lease_pid, heartbeat_at = :heartbeat_at"
    " WHERE run_id = :run_id AND status = :seen_status"
    " AND COALESCE(lease_token, '') = :seen_token"
)
HEARTBEAT = (
    "UPDATE runs SET heartbeat_at = :heartbeat_at"
    " WHERE run_id = :run_id AND lease_token = :lease_token AND status = 'running'"
)
HOLDS_LEASE = (
    "SELECT 1 FROM runs WHERE run_id = :run_id AND lease_token = :lease_token"
    " AND status = 'running'"
)
END_LEASE = (
    "UPDATE runs SET status = :status, error = :error, lease_pid = NULL,"
    " wall_time_s = :wall_time_s, tokens_processed = :tokens_processed"
    " WHERE run_id = :run_id AND lease_token = :lease_token AND status = 'running'"
)

INSERT_ATTEMPT = insert_into("run_attempts", ATTEMPT_COLUMNS)
SELECT_ATTEMPTS = (
    select_from("run_attempts", ATTEMPT_COLUMNS) + " WHERE run_id = :run_id ORDER BY attempt"
)
NEXT_ATTEMPT = "SELECT COALESCE(MAX(attempt), 0) + 1 FROM run_attempts WHERE run_id = :run_id"
UPDATE_ATTEMPT = (
    "UPDATE run_attempts SET status = :status, wall_time_s = :wall_time_s,"
    " tokens_processed = :tokens_processed, error = :error"
    " WHERE run_id = :run_id AND attempt = :attempt"
)
CLOSE_RUNNING_ATTEMPTS = (
    "UPDATE run_attempts SET status = 'failed', error = :error"
    " WHERE run_id = :run_id AND status = 'running'"
)
ATTEMPT_TOTALS = (
    "SELECT SUM(wall_time_s) AS wall_time_s, SUM(tokens_processed) AS tokens_processed"
    " FROM run_attempts WHERE run_id = :run_id"
)
DELETE_AGGREGATE_SCORES = "DELETE FROM scores WHERE run_id = :run_id AND scope = 'aggregate'"

INSERT_TASK_RESULT = insert_into("task_results", TASK_RESULT_COLUMNS)
TASK_RESULT_EXISTS = "SELECT 1 FROM task_results WHERE run_id = :run_id AND task = :task"
SELECT_TASK_RESULTS = (
    select_from("task_results", TASK_RESULT_COLUMNS) + " WHERE run_id = :run_id ORDER BY task"
)
SELECT_COMPLETED_TASKS = "SELECT task FROM task_results WHERE run_id = :run_id"

INSERT_SCORE = insert_into("scores", SCORE_COLUMNS)
SELECT_SCORES = select_from("scores", SCORE_COLUMNS) + " WHERE run_id = :run_id ORDER BY score_id"
SELECT_SCORES_IN_SCOPE = (
    select_from("scores", SCORE_COLUMNS)
    + " WHERE run_id = :run_id AND scope = :scope ORDER BY score_id"
)

INSERT_SAMPLE = insert_into("samples", SAMPLE_COLUMNS)
SELECT_SAMPLES = (
    select_from("samples", SAMPLE_COLUMNS) + " WHERE run_id = :run_id ORDER BY task, doc_id"
)
SELECT_TASK_SAMPLES = (
    select_from("samples", SAMPLE_COLUMNS)
    + " WHERE run_id = :run_id AND task = :task ORDER BY doc_id"
)

INSERT_GATE_DECISION = (
    insert_into("gate_decisions", GATE_DECISION_COLUMNS) + " RETURNING decision_id"
)
SELECT_GATE_DECISIONS = (
    select_from("gate_decisions", ("decision_id", *GATE_DECISION_COLUMNS))
    + " ORDER BY created_at DESC, decision_id DESC"
)
SELECT_GATE_DECISIONS_OF_RUN = (
    select_from("gate_decisions", ("decision_id", *GATE_DECISION_COLUMNS))
    + " WHERE baseline_run_id = :run_id OR candidate_run_id = :run_id"
    + " ORDER BY created_at DESC, decision_id DESC"
)

INSERT_VARIANT = insert_into("variants", VARIANT_COLUMNS)
SELECT_VARIANTS = select_from("variants", VARIANT_COLUMNS) + " ORDER BY created_at, variant_id"
SELECT_VARIANT = select_from("variants", VARIANT_COLUMNS) + " WHERE variant_id = :variant_id"
SELECT_VARIANT_BY_NAME = select_from("variants", VARIANT_COLUMNS) + " WHERE name = :name"
SELECT_VARIANTS_BY_PREFIX = (
    select_from("variants", VARIANT_COLUMNS)
    + " WHERE substr(variant_id, 1, :length) = :prefix ORDER BY variant_id LIMIT :limit"
)

INSERT_ANSWER = (
    "INSERT INTO answers (model_hash, request_hash, result, created_at)"
    " VALUES (:model_hash, :request_hash, :result, :created_at)"
    " ON CONFLICT (model_hash, request_hash) DO NOTHING"
)
SELECT_ANSWER = (
    "SELECT result FROM answers WHERE model_hash = :model_hash AND request_hash = :request_hash"
)
