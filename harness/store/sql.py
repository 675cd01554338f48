"""Every SQL statement the store runs, in one place.

Kept to plain, portable SQL (named parameters, ``ON CONFLICT``, ``substr``, no rowid
tricks) so that a PostgreSQL backend later needs only a different placeholder style and
connection, not a rewrite. Column names equal record field names, so rows map onto
records by name.
"""

from __future__ import annotations

SCHEMA_VERSION = 3
# Version 1 stores lack the ``variants`` table (the CREATE ... IF NOT EXISTS below adds it);
# version 2 stores lack the run lease columns and ``run_attempts`` (see MIGRATIONS).
MIGRATABLE_VERSIONS = (1, 2)

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

CREATE_STATEMENTS = (
    """
    CREATE TABLE IF NOT EXISTS schema_version (
        version INTEGER NOT NULL
    )
    """,
    """
    CREATE TABLE IF NOT EXISTS models (
        model_hash TEXT PRIMARY KEY,
        spec TEXT NOT NULL,
        name TEXT NOT NULL,
        source TEXT NOT NULL,
        n_parameters INTEGER NOT NULL,
        dtype TEXT NOT NULL,
        details TEXT NOT NULL
    )
    """,
    """
    CREATE TABLE IF NOT EXISTS runs (
        run_id TEXT PRIMARY KEY,
        created_at TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('running', 'complete', 'failed')),
        suite TEXT NOT NULL,
        suite_hash TEXT NOT NULL,
        model_spec TEXT NOT NULL,
        model_hash TEXT NOT NULL REFERENCES models (model_hash),
        harness_version TEXT NOT NULL,
        git_commit TEXT,
        device TEXT NOT NULL,
        dtype TEXT NOT NULL,
        config TEXT NOT NULL,
        wall_time_s REAL,
        tokens_processed INTEGER,
        error TEXT,
        lease_token TEXT,
        lease_host TEXT,
        lease_pid INTEGER,
        heartbeat_at TEXT
    )
    """,
    "CREATE INDEX IF NOT EXISTS runs_created_at ON runs (created_at)",
    "CREATE INDEX IF NOT EXISTS runs_model_hash ON runs (model_hash)",
    """
    CREATE TABLE IF NOT EXISTS task_results (
        run_id TEXT NOT NULL REFERENCES runs (run_id) ON DELETE CASCADE,
        task TEXT NOT NULL,
        task_hash TEXT NOT NULL,
        data_hash TEXT NOT NULL,
        num_fewshot INTEGER NOT NULL,
        fewshot_seed INTEGER,
        n_items INTEGER NOT NULL,
        wall_time_s REAL NOT NULL,
        tokens_processed INTEGER NOT NULL,
        details TEXT NOT NULL,
        PRIMARY KEY (run_id, task)
    )
    """,
    # ``value`` may be NULL: databases turn NaN into NULL, and a NaN metric is still a result.
    """
    CREATE TABLE IF NOT EXISTS scores (
        score_id INTEGER PRIMARY KEY,
        run_id TEXT NOT NULL REFERENCES runs (run_id) ON DELETE CASCADE,
        scope TEXT NOT NULL CHECK (scope IN ('task', 'aggregate')),
        name TEXT NOT NULL,
        metric TEXT NOT NULL,
        value REAL,
        stderr REAL,
        ci_low REAL,
        ci_high REAL,
        n INTEGER NOT NULL,
        higher_is_better INTEGER NOT NULL,
        extra TEXT NOT NULL,
        UNIQUE (run_id, scope, name, metric)
    )
    """,
    """
    CREATE TABLE IF NOT EXISTS samples (
        run_id TEXT NOT NULL,
        task TEXT NOT NULL,
        doc_id INTEGER NOT NULL,
        doc_hash TEXT NOT NULL,
        prompt_hash TEXT NOT NULL,
        target TEXT NOT NULL,
        prediction TEXT NOT NULL,
        outputs TEXT NOT NULL,
        metrics TEXT NOT NULL,
        PRIMARY KEY (run_id, task, doc_id),
        FOREIGN KEY (run_id, task) REFERENCES task_results (run_id, task) ON DELETE CASCADE
    )
    """,
    "CREATE INDEX IF NOT EXISTS samples_doc_hash ON samples (doc_hash)",
    # One row per gate or compare decision: the verdict and the table it rests on.
    """
    CREATE TABLE IF NOT EXISTS gate_decisions (
        decision_id INTEGER PRIMARY KEY,
        created_at TEXT NOT NULL,
        baseline_run_id TEXT NOT NULL REFERENCES runs (run_id) ON DELETE CASCADE,
        candidate_run_id TEXT NOT NULL REFERENCES runs (run_id) ON DELETE CASCADE,
        suite TEXT NOT NULL,
        verdict TEXT NOT NULL CHECK (verdict IN ('pass', 'regress', 'inconclusive')),
        policy TEXT NOT NULL,
        exit_code INTEGER NOT NULL,
        margins TEXT NOT NULL,
        comparison TEXT NOT NULL
    )
    """,
    "CREATE INDEX IF NOT EXISTS gate_decisions_candidate ON gate_decisions (candidate_run_id)",
    # The variant registry: every model the lab produced, with its parent (roots have none).
    """
    CREATE TABLE IF NOT EXISTS variants (
        variant_id TEXT PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        kind TEXT NOT NULL,
        parent_id TEXT REFERENCES variants (variant_id),
        spec TEXT,
        path TEXT,
        recipe TEXT,
        config_hash TEXT,
        data_hash TEXT,
        weights_hash TEXT NOT NULL,
        total_params INTEGER NOT NULL,
        trainable_params INTEGER NOT NULL,
        size_bytes INTEGER NOT NULL,
        training_seconds REAL,
        final_losses TEXT NOT NULL,
        details TEXT NOT NULL,
        created_at TEXT NOT NULL
    )
    """,
    "CREATE INDEX IF NOT EXISTS variants_parent ON variants (parent_id)",
    "CREATE INDEX IF NOT EXISTS variants_weights_hash ON variants (weights_hash)",
    """
    CREATE TABLE IF NOT EXISTS run_attempts (
        run_id TEXT NOT NULL REFERENCES runs (run_id) ON DELETE CASCADE,
        attempt INTEGER NOT NULL,
        started_at TEXT NOT NULL,
        host TEXT NOT NULL,
        pid INTEGER NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('running', 'complete', 'failed')),
        wall_time_s REAL,
        tokens_processed INTEGER,
        error TEXT,
        PRIMARY KEY (run_id, attempt)
    )
    """,
    # A served model's answer to one request, kept as soon as it arrives, so a killed run
    # resumes without paying for a finished request twice. Keyed by the model's identity
    # (endpoint model id + answer fingerprint) and the request's content hash.
    """
    CREATE TABLE IF NOT EXISTS answers (
        model_hash TEXT NOT NULL,
        request_hash TEXT NOT NULL,
        result TEXT NOT NULL,
        created_at TEXT NOT NULL,
        PRIMARY KEY (model_hash, request_hash)
    )
    """,
)

# Statements that bring a store of version N up to N + 1, run after CREATE_STATEMENTS (which
# already added any missing table). Plain ``ALTER TABLE ... ADD COLUMN`` so that the later
# move to Alembic can copy them as they are.
MIGRATIONS: dict[int, tuple[str, ...]] = {
    1: (),
    2: (
        "ALTER TABLE runs ADD COLUMN lease_token TEXT",
        "ALTER TABLE runs ADD COLUMN lease_host TEXT",
        "ALTER TABLE runs ADD COLUMN lease_pid INTEGER",
        "ALTER TABLE runs ADD COLUMN heartbeat_at TEXT",
        # A run from before attempts were recorded counts as its own first attempt, so a
        # resume adds to its figures instead of replacing them.
        "INSERT INTO run_attempts (run_id, attempt, started_at, host, pid, status,"
        " wall_time_s, tokens_processed, error)"
        " SELECT run_id, 1, created_at, '', 0, status, wall_time_s, tokens_processed, error"
        " FROM runs",
    ),
}


def _insert(table: str, columns: tuple[str, ...]) -> str:
    names = ", ".join(columns)
    params = ", ".join(f":{column}" for column in columns)
    return f"INSERT INTO {table} ({names}) VALUES ({params})"


def _select(table: str, columns: tuple[str, ...]) -> str:
    return f"SELECT {', '.join(columns)} FROM {table}"


def count_rows(table: str) -> str:
    """Statement counting the rows of one of :data:`TABLES` (never user input)."""
    if table not in TABLES:
        raise ValueError(f"unknown store table {table!r}")
    return f"SELECT COUNT(*) FROM {table}"


TABLE_EXISTS = "SELECT name FROM sqlite_master WHERE type = 'table' AND name = :name"
ANY_TABLE = "SELECT name FROM sqlite_master WHERE type = 'table' LIMIT 1"
SELECT_SCHEMA_VERSION = "SELECT version FROM schema_version"
INSERT_SCHEMA_VERSION = "INSERT INTO schema_version (version) VALUES (:version)"
UPDATE_SCHEMA_VERSION = "UPDATE schema_version SET version = :version"

UPSERT_MODEL = (
    _insert("models", MODEL_COLUMNS)
    + " ON CONFLICT (model_hash) DO UPDATE SET "
    + ", ".join(f"{column} = excluded.{column}" for column in MODEL_COLUMNS[1:])
)
SELECT_MODEL = _select("models", MODEL_COLUMNS) + " WHERE model_hash = :model_hash"
MODEL_EXISTS = "SELECT 1 FROM models WHERE model_hash = :model_hash"

INSERT_RUN = _insert("runs", RUN_COLUMNS)
RUN_EXISTS = "SELECT 1 FROM runs WHERE run_id = :run_id"
SELECT_RUN = _select("runs", RUN_COLUMNS) + " WHERE run_id = :run_id"
SELECT_RUNS_BY_PREFIX = (
    _select("runs", RUN_COLUMNS)
    + " WHERE substr(run_id, 1, :length) = :prefix"
    + " ORDER BY created_at DESC, run_id DESC LIMIT :limit"
)
SELECT_RUNS = _select("runs", RUN_COLUMNS) + " ORDER BY created_at DESC, run_id DESC"
SELECT_RUNS_LIMITED = SELECT_RUNS + " LIMIT :limit"
FINISH_RUN = (
    "UPDATE runs SET status = :status, wall_time_s = :wall_time_s,"
    " tokens_processed = :tokens_processed, error = :error WHERE run_id = :run_id"
)

# -- leases: every change is conditional on the token the writer holds (or last saw), so of
# two processes racing for a run exactly one UPDATE matches a row.
SELECT_LEASE = _select("runs", LEASE_COLUMNS) + " WHERE run_id = :run_id"
SELECT_LEASES = _select("runs", LEASE_COLUMNS)
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

INSERT_ATTEMPT = _insert("run_attempts", ATTEMPT_COLUMNS)
SELECT_ATTEMPTS = (
    _select("run_attempts", ATTEMPT_COLUMNS) + " WHERE run_id = :run_id ORDER BY attempt"
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
    "SELECT SUM(wall_time_s), SUM(tokens_processed) FROM run_attempts WHERE run_id = :run_id"
)
DELETE_AGGREGATE_SCORES = "DELETE FROM scores WHERE run_id = :run_id AND scope = 'aggregate'"

INSERT_TASK_RESULT = _insert("task_results", TASK_RESULT_COLUMNS)
TASK_RESULT_EXISTS = "SELECT 1 FROM task_results WHERE run_id = :run_id AND task = :task"
SELECT_TASK_RESULTS = (
    _select("task_results", TASK_RESULT_COLUMNS) + " WHERE run_id = :run_id ORDER BY task"
)
SELECT_COMPLETED_TASKS = "SELECT task FROM task_results WHERE run_id = :run_id"

INSERT_SCORE = _insert("scores", SCORE_COLUMNS)
SELECT_SCORES = _select("scores", SCORE_COLUMNS) + " WHERE run_id = :run_id ORDER BY score_id"
SELECT_SCORES_IN_SCOPE = (
    _select("scores", SCORE_COLUMNS)
    + " WHERE run_id = :run_id AND scope = :scope ORDER BY score_id"
)

INSERT_SAMPLE = _insert("samples", SAMPLE_COLUMNS)
SELECT_SAMPLES = (
    _select("samples", SAMPLE_COLUMNS) + " WHERE run_id = :run_id ORDER BY task, doc_id"
)
SELECT_TASK_SAMPLES = (
    _select("samples", SAMPLE_COLUMNS) + " WHERE run_id = :run_id AND task = :task ORDER BY doc_id"
)

INSERT_GATE_DECISION = _insert("gate_decisions", GATE_DECISION_COLUMNS)
SELECT_GATE_DECISIONS = (
    _select("gate_decisions", ("decision_id", *GATE_DECISION_COLUMNS))
    + " ORDER BY created_at DESC, decision_id DESC"
)
SELECT_GATE_DECISIONS_OF_RUN = (
    _select("gate_decisions", ("decision_id", *GATE_DECISION_COLUMNS))
    + " WHERE baseline_run_id = :run_id OR candidate_run_id = :run_id"
    + " ORDER BY created_at DESC, decision_id DESC"
)

INSERT_VARIANT = _insert("variants", VARIANT_COLUMNS)
SELECT_VARIANTS = _select("variants", VARIANT_COLUMNS) + " ORDER BY created_at, variant_id"
SELECT_VARIANT = _select("variants", VARIANT_COLUMNS) + " WHERE variant_id = :variant_id"
SELECT_VARIANT_BY_NAME = _select("variants", VARIANT_COLUMNS) + " WHERE name = :name"
SELECT_VARIANTS_BY_PREFIX = (
    _select("variants", VARIANT_COLUMNS)
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
