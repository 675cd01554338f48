"""The results store: transactional writes and traceable reads of run records.

One class for both databases (SQLite file, PostgreSQL server) through SQLAlchemy Core: the
statements are in :mod:`harness.store.sql`, the connection differences in
:mod:`harness.store.engine`. Every write is one transaction, so a run that crashes mid-task
leaves either a complete task result, with all its scores and samples, or nothing of that
task, and several processes (on several machines, for PostgreSQL) can write one store: keys
and conditional updates decide races, and a lost race is an error that names it, never a
duplicated or half-written row.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any, Self

from sqlalchemy import text
from sqlalchemy.engine import Connection, CursorResult
from sqlalchemy.exc import DBAPIError, IntegrityError

from harness.errors import HarnessError
from harness.store import rows, sql
from harness.store.codec import encode_datetime
from harness.store.engine import cannot_open, is_postgres, make_engine, writer
from harness.store.location import StoreLocation
from harness.store.pause import pause_at
from harness.store.prefix import only_match, prefix_parameters
from harness.store.records import (
    RUN_STATUSES,
    SCORE_SCOPES,
    GateDecisionRecord,
    ModelRecord,
    RunAttempt,
    RunLease,
    RunRecord,
    SampleRecord,
    ScoreRecord,
    TaskResultRecord,
    VariantRecord,
)
from harness.store.schema import check_readable, ensure_schema
from harness.store.sqlite_file import closed, opened


class LeaseLost(HarnessError):
    """This process no longer holds the run's lease: another one took it over. Nothing of
    the refused write was stored, and the run is left to its new holder."""


class Store:
    """A results store in an SQLite file or a PostgreSQL database.

    Create it with :func:`harness.store.open_store`; use it as a context manager, or call
    :meth:`close`, to release the connection.
    """

    location: StoreLocation

    def __init__(self, location: StoreLocation, *, read_only: bool = False) -> None:
        self.location = location
        self.read_only = read_only
        self._engine = make_engine(location, read_only=read_only)
        self._writer = writer(self._engine)
        self._key: str | None = opened(location.path) if location.path is not None else None
        try:
            if read_only:
                check_readable(self._engine, location)
            else:
                ensure_schema(self._engine, location)
        except BaseException:
            self.close()
            raise
        self._locks_rows = is_postgres(self._engine)

    @property
    def path(self) -> Path:
        """The SQLite file of this store (PostgreSQL stores have none: see :attr:`location`)."""
        if self.location.path is None:
            raise AttributeError(f"store {self.location} is a database server, not a file")
        return self.location.path

    # -- lifecycle -------------------------------------------------------------------------

    def close(self) -> None:
        """Close the connections; committed data is already stored."""
        self._engine.dispose()
        if self._key is not None:
            closed(self._key)
            self._key = None

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    # -- models ----------------------------------------------------------------------------

    def upsert_model(self, model: ModelRecord) -> None:
        """Insert the model, or refresh its description if these weights are already known."""
        with self._transaction() as conn:
            _execute(conn, sql.UPSERT_MODEL, rows.model_to_row(model))

    def get_model(self, model_hash: str) -> ModelRecord | None:
        """The model with these weights, or ``None`` if no run has used them yet."""
        found = self._query(sql.SELECT_MODEL, {"model_hash": model_hash})
        return rows.model_from_row(found[0]) if found else None

    # -- runs ------------------------------------------------------------------------------

    def create_run(self, run: RunRecord) -> None:
        """Record the start of a run; its model must have been stored with :meth:`upsert_model`."""
        with self._transaction() as conn:
            self._insert_run(conn, run)

    def _insert_run(self, conn: Connection, run: RunRecord) -> None:
        taken = HarnessError(
            f"run id '{run.run_id}' already exists in {self.location}; "
            "start the run with a fresh id from new_run_id()"
        )
        if _exists(conn, sql.RUN_EXISTS, {"run_id": run.run_id}):
            raise taken
        if not _exists(conn, sql.MODEL_EXISTS, {"model_hash": run.model_hash}):
            raise HarnessError(
                f"model {run.model_hash} of run '{run.run_id}' is not in the store; "
                "store it with upsert_model() before create_run()"
            )
        try:
            _execute(conn, sql.INSERT_RUN, rows.run_to_row(run))
        except IntegrityError:  # another process inserted the same id since the check
            raise taken from None

    def finish_run(
        self,
        run_id: str,
        *,
        status: str,
        wall_time_s: float | None,
        tokens_processed: int | None,
        error: str | None = None,
    ) -> None:
        """Set a run's final status, totals and error (if it failed)."""
        if status not in RUN_STATUSES:
            raise ValueError(f"run status must be one of {RUN_STATUSES}, not {status!r}")
        params = {
            "run_id": run_id,
            "status": status,
            "wall_time_s": wall_time_s,
            "tokens_processed": tokens_processed,
            "error": error,
        }
        with self._transaction() as conn:
            if _execute(conn, sql.FINISH_RUN, params).rowcount == 0:
                raise _no_such_run(run_id)

    # -- leases and attempts (see harness.runner.lease) ------------------------------------

    def start_run(self, run: RunRecord, lease: RunLease) -> int:
        """Create ``run`` held by ``lease`` with its first attempt, in one transaction."""
        with self._transaction() as conn:
            self._insert_run(conn, run)
            _execute(conn, sql.SET_LEASE, _lease_params(lease))
            _execute(conn, sql.INSERT_ATTEMPT, rows.attempt_to_row(_attempt(lease, 1)))
        return 1

    def get_lease(self, run_id: str) -> RunLease:
        """The lease columns of the run with exactly this id."""
        found = self._query(sql.SELECT_LEASE, {"run_id": run_id})
        if not found:
            raise _no_such_run(run_id)
        return rows.lease_from_row(found[0])

    def list_leases(self) -> dict[str, RunLease]:
        """Every run's lease by run id, for listings that show which runs went stale."""
        return {
            str(row["run_id"]): rows.lease_from_row(row)
            for row in self._query(sql.SELECT_LEASES, {})
        }

    def take_over(self, seen: RunLease, lease: RunLease) -> int | None:
        """Take the run from the holder ``seen`` named; the new attempt's number, or ``None``
        when another process changed the lease first (it won; nothing was written here).

        One conditional UPDATE decides: it matches only while status and token are still
        those in ``seen``, so of two processes taking over the same run exactly one wins.
        """
        with self._transaction() as conn:
            params = {
                **_lease_params(lease),
                "seen_status": seen.status,
                "seen_token": seen.lease_token or "",
            }
            if _execute(conn, sql.TAKE_LEASE, params).rowcount != 1:
                return None
            _execute(
                conn,
                sql.CLOSE_RUNNING_ATTEMPTS,
                {"run_id": lease.run_id, "error": "stopped without finishing (killed?)"},
            )
            attempt = int(_execute(conn, sql.NEXT_ATTEMPT, {"run_id": lease.run_id}).scalar_one())
            _execute(conn, sql.INSERT_ATTEMPT, rows.attempt_to_row(_attempt(lease, attempt)))
            return attempt

    def heartbeat(
        self, lease: RunLease, attempt: int, *, wall_time_s: float, tokens_processed: int
    ) -> bool:
        """Refresh the heartbeat and this attempt's running figures; False if the lease is lost."""
        with self._transaction() as conn:
            beat = {**_lease_params(lease)}
            if _execute(conn, sql.HEARTBEAT, beat).rowcount != 1:
                return False
            _execute(
                conn,
                sql.UPDATE_ATTEMPT,
                {
                    "run_id": lease.run_id,
                    "attempt": attempt,
                    "status": "running",
                    "wall_time_s": wall_time_s,
                    "tokens_processed": tokens_processed,
                    "error": None,
                },
            )
            return True

    def end_run(
        self,
        lease: RunLease,
        attempt: int,
        *,
        status: str,
        wall_time_s: float,
        tokens_processed: int,
        error: str | None = None,
        aggregates: Sequence[ScoreRecord] = (),
    ) -> bool:
        """Finish this attempt and the run in one transaction: the suite ``aggregates`` (for a
        complete run), the attempt's figures, the run's totals over all attempts, its status.

        Returns False, writing nothing, when this process no longer holds the lease: a run
        taken over by another process is never marked by the one that lost it.
        """
        if status not in RUN_STATUSES:
            raise ValueError(f"run status must be one of {RUN_STATUSES}, not {status!r}")
        with self._transaction() as conn:
            key = {"run_id": lease.run_id, "lease_token": lease.lease_token}
            self._lock_run(conn, lease.run_id)
            if not _exists(conn, sql.HOLDS_LEASE, key):
                return False
            if aggregates:
                # A run left by the old resume bug may hold aggregates already: recompute them.
                _execute(conn, sql.DELETE_AGGREGATE_SCORES, {"run_id": lease.run_id})
                _insert_scores(conn, aggregates)
            figures = {"wall_time_s": wall_time_s, "tokens_processed": tokens_processed}
            _execute(
                conn,
                sql.UPDATE_ATTEMPT,
                {**key, "attempt": attempt, "status": status, "error": error, **figures},
            )
            totals = dict(_execute(conn, sql.ATTEMPT_TOTALS, key).mappings().one())
            pause_at("complete" if status == "complete" else "end")
            _execute(conn, sql.END_LEASE, {**key, "status": status, "error": error, **totals})
            return True

    def get_attempts(self, run_id: str) -> list[RunAttempt]:
        """Every attempt at a run, first to last, with its own wall time and tokens."""
        found = self._query(sql.SELECT_ATTEMPTS, {"run_id": run_id})
        return [rows.attempt_from_row(row) for row in found]

    def list_runs(self, limit: int | None = None) -> list[RunRecord]:
        """Runs, newest first; at most ``limit`` of them when given."""
        if limit is None:
            found = self._query(sql.SELECT_RUNS, {})
        elif limit < 0:
            raise ValueError(f"limit must be >= 0, not {limit}")
        else:
            found = self._query(sql.SELECT_RUNS_LIMITED, {"limit": limit})
        return [rows.run_from_row(row) for row in found]

    def get_run(self, run_id_or_prefix: str) -> RunRecord:
        """The run with this id, or the only run whose id starts with it (git-style)."""
        wanted = run_id_or_prefix.strip()
        if not wanted:
            raise HarnessError("empty run id; list runs with `harness runs`")
        exact = self._query(sql.SELECT_RUN, {"run_id": wanted})
        if exact:
            return rows.run_from_row(exact[0])
        matches = self._query(sql.SELECT_RUNS_BY_PREFIX, prefix_parameters(wanted))
        run = only_match(
            wanted,
            [rows.run_from_row(row) for row in matches],
            lambda r: r.run_id,
            noun="run id",
            hint="type more characters of the run id",
        )
        if run is None:
            raise _no_such_run(wanted)
        return run

    # -- task results ----------------------------------------------------------------------

    def commit_task(
        self,
        result: TaskResultRecord,
        scores: Sequence[ScoreRecord],
        samples: Sequence[SampleRecord],
        *,
        lease_token: str | None = None,
    ) -> None:
        """Store one finished task with its scores and samples in a single transaction.

        Either all of them land or none does, so a resumed run can trust
        :meth:`completed_tasks`. A task is committed once per run; committing it again is
        refused rather than silently mixing two evaluations. With ``lease_token`` the
        commit is refused (:class:`LeaseLost`) unless this process still holds the run.
        """
        _check_belongs(result, scores, samples)
        where = f"task '{result.task}' of run '{result.run_id}'"
        with self._transaction() as conn:
            if not _exists(conn, sql.RUN_EXISTS, {"run_id": result.run_id}):
                raise _no_such_run(result.run_id)
            held = {"run_id": result.run_id, "lease_token": lease_token}
            self._lock_run(conn, result.run_id)
            if lease_token is not None and not _exists(conn, sql.HOLDS_LEASE, held):
                raise LeaseLost(
                    f"run {result.run_id} was taken over by another process; "
                    f"{where} was not stored (see `harness show {result.run_id}`)"
                )
            key = {"run_id": result.run_id, "task": result.task}
            if _exists(conn, sql.TASK_RESULT_EXISTS, key):
                raise HarnessError(
                    f"{where} is already committed; start a new run to evaluate it again"
                )
            try:
                _execute(conn, sql.INSERT_TASK_RESULT, rows.task_result_to_row(result))
                _insert_scores(conn, scores)
                if samples:
                    _execute(conn, sql.INSERT_SAMPLE, [rows.sample_to_row(s) for s in samples])
            except IntegrityError as exc:
                raise HarnessError(
                    f"could not store {where}: {_first_line(exc)}; nothing of it was written, "
                    "fix the records (duplicate doc_id or metric?) and commit again"
                ) from exc
            pause_at(f"commit:{result.task}")

    def add_scores(self, scores: Sequence[ScoreRecord]) -> None:
        """Store scores computed after the tasks (suite aggregates) in one transaction."""
        with self._transaction() as conn:
            for run_id in sorted({score.run_id for score in scores}):
                if not _exists(conn, sql.RUN_EXISTS, {"run_id": run_id}):
                    raise _no_such_run(run_id)
            _insert_scores(conn, scores)

    def add_answers(self, model_hash: str, answers: Mapping[str, str]) -> None:
        """Keep a served model's answers (request hash -> result as JSON text) in one transaction."""
        now = encode_datetime(datetime.now(UTC))
        if not answers:
            return
        with self._transaction() as conn:
            _execute(
                conn,
                sql.INSERT_ANSWER,
                [
                    {
                        "model_hash": model_hash,
                        "request_hash": request_hash,
                        "result": result,
                        "created_at": now,
                    }
                    for request_hash, result in answers.items()
                ],
            )

    def get_answers(self, model_hash: str, request_hashes: Sequence[str]) -> dict[str, str]:
        """The kept answers of ``model_hash`` to those of ``request_hashes`` it has answered."""
        found: dict[str, str] = {}
        for request_hash in request_hashes:
            rows_ = self._query(
                sql.SELECT_ANSWER, {"model_hash": model_hash, "request_hash": request_hash}
            )
            if rows_:
                found[request_hash] = str(rows_[0]["result"])
        return found

    def get_task_results(self, run_id: str) -> list[TaskResultRecord]:
        """The committed tasks of a run, by task name."""
        found = self._query(sql.SELECT_TASK_RESULTS, {"run_id": run_id})
        return [rows.task_result_from_row(row) for row in found]

    def get_scores(self, run_id: str, scope: str | None = None) -> list[ScoreRecord]:
        """A run's scores in the order they were stored, optionally of one scope only."""
        if scope is None:
            found = self._query(sql.SELECT_SCORES, {"run_id": run_id})
        elif scope in SCORE_SCOPES:
            found = self._query(sql.SELECT_SCORES_IN_SCOPE, {"run_id": run_id, "scope": scope})
        else:
            raise ValueError(f"score scope must be one of {SCORE_SCOPES}, not {scope!r}")
        return [rows.score_from_row(row) for row in found]

    def get_samples(self, run_id: str, task: str | None = None) -> list[SampleRecord]:
        """A run's samples ordered by task then doc_id, optionally of one task only."""
        if task is None:
            found = self._query(sql.SELECT_SAMPLES, {"run_id": run_id})
        else:
            found = self._query(sql.SELECT_TASK_SAMPLES, {"run_id": run_id, "task": task})
        return [rows.sample_from_row(row) for row in found]

    def completed_tasks(self, run_id: str) -> set[str]:
        """Names of the tasks of a run that were committed, i.e. need no re-evaluation."""
        return {
            str(row["task"]) for row in self._query(sql.SELECT_COMPLETED_TASKS, {"run_id": run_id})
        }

    # -- gate decisions --------------------------------------------------------------------

    def add_gate_decision(self, decision: GateDecisionRecord) -> int:
        """Store a gate decision; returns its new ``decision_id``."""
        with self._transaction() as conn:
            for run_id in (decision.baseline_run_id, decision.candidate_run_id):
                if not _exists(conn, sql.RUN_EXISTS, {"run_id": run_id}):
                    raise _no_such_run(run_id)
            found = _execute(conn, sql.INSERT_GATE_DECISION, rows.gate_decision_to_row(decision))
            return int(found.scalar_one())

    def get_gate_decisions(self, run_id: str | None = None) -> list[GateDecisionRecord]:
        """Gate decisions newest first, optionally only those naming ``run_id`` on either side."""
        if run_id is None:
            found = self._query(sql.SELECT_GATE_DECISIONS, {})
        else:
            found = self._query(sql.SELECT_GATE_DECISIONS_OF_RUN, {"run_id": run_id})
        return [rows.gate_decision_from_row(row) for row in found]

    # -- variants --------------------------------------------------------------------------

    def add_variant(self, variant: VariantRecord) -> VariantRecord:
        """Store a variant, or return the stored one with the same id (registration is idempotent).

        A different variant under a taken name, or a parent that is not stored, is refused.
        """
        try:
            return self._add_variant(variant)
        except IntegrityError:
            # Another process registered it (or the name) between our checks and the insert:
            # the checks now see its row and answer as they would have.
            return self._add_variant(variant)

    def _add_variant(self, variant: VariantRecord) -> VariantRecord:
        with self._transaction() as conn:
            found = _as_dicts(
                _execute(conn, sql.SELECT_VARIANT, {"variant_id": variant.variant_id})
            )
            if found:
                return rows.variant_from_row(found[0])
            clash = _as_dicts(_execute(conn, sql.SELECT_VARIANT_BY_NAME, {"name": variant.name}))
            if clash:
                raise HarnessError(
                    f"variant name '{variant.name}' is taken by {clash[0]['variant_id']} "
                    f"(other weights than {variant.variant_id}); choose another name"
                )
            if variant.parent_id is not None and not _exists(
                conn, sql.SELECT_VARIANT, {"variant_id": variant.parent_id}
            ):
                raise HarnessError(
                    f"parent variant '{variant.parent_id}' of '{variant.name}' is not in "
                    f"{self.location}; register the parent first (see `harness variants`)"
                )
            _execute(conn, sql.INSERT_VARIANT, rows.variant_to_row(variant))
            # Read back, so callers see what later reads will see (JSON-normalised details).
            stored = _as_dicts(
                _execute(conn, sql.SELECT_VARIANT, {"variant_id": variant.variant_id})
            )
            return rows.variant_from_row(stored[0])

    def get_variant(self, variant_id: str) -> VariantRecord | None:
        """The variant with exactly this id, or ``None``."""
        found = self._query(sql.SELECT_VARIANT, {"variant_id": variant_id})
        return rows.variant_from_row(found[0]) if found else None

    def get_variant_by_name(self, name: str) -> VariantRecord | None:
        """The variant with exactly this name, or ``None``."""
        found = self._query(sql.SELECT_VARIANT_BY_NAME, {"name": name})
        return rows.variant_from_row(found[0]) if found else None

    def find_variants_by_prefix(self, prefix: str) -> list[VariantRecord]:
        """Variants whose id starts with ``prefix`` (git-style short ids), for :func:`only_match`."""
        found = self._query(sql.SELECT_VARIANTS_BY_PREFIX, prefix_parameters(prefix))
        return [rows.variant_from_row(row) for row in found]

    def list_variants(self) -> list[VariantRecord]:
        """Every registered variant, oldest first (parents before their children)."""
        return [rows.variant_from_row(row) for row in self._query(sql.SELECT_VARIANTS, {})]

    def count_rows(self) -> dict[str, int]:
        """Rows per table, so tests and tools can check what a write left behind."""
        with self._engine.connect() as conn:
            return {
                table: int(_execute(conn, sql.count_rows(table), {}).scalar_one())
                for table in sql.TABLES
            }

    def change_stamp(self) -> tuple[int, ...]:
        """Changes whenever a run, task, score, decision or variant is added or a run's status
        changes: what a reader (the dashboard) keys its cache on, one cheap query."""
        with self._engine.connect() as conn:
            row = _execute(conn, sql.CHANGE_STAMP, {}).one()
        return tuple(int(value or 0) for value in row)

    # -- whole-table access, for tools that move rows between stores (harness.store.copy) ---

    @contextmanager
    def reading(self) -> Iterator[Connection]:
        """A connection for reads with :mod:`sql`'s statements; nothing it does is kept."""
        try:
            with self._engine.connect() as conn:
                yield conn
        except DBAPIError as exc:
            raise cannot_open(self.location, exc) from exc

    def writing(self) -> AbstractContextManager[Connection]:
        """One write transaction (see :meth:`_transaction`)."""
        return self._transaction()

    # -- plumbing --------------------------------------------------------------------------

    @contextmanager
    def _transaction(self) -> Iterator[Connection]:
        """One write transaction: committed if the block finishes, rolled back otherwise.

        On SQLite it begins ``IMMEDIATE`` (the write lock up front), so existence checks made
        inside the block cannot be invalidated by another writer before the inserts run.
        """
        if self.read_only:
            raise HarnessError(f"store {self.location} was opened read-only; it cannot be written")
        try:
            with self._writer.begin() as conn:
                yield conn
        except IntegrityError:
            raise  # a lost race or a duplicate: the caller names it
        except DBAPIError as exc:
            raise cannot_open(self.location, exc) from exc

    def _lock_run(self, conn: Connection, run_id: str) -> None:
        """On PostgreSQL, hold the run's row until COMMIT (see :data:`sql.LOCK_RUN`)."""
        if self._locks_rows:
            _execute(conn, sql.LOCK_RUN, {"run_id": run_id})

    def _query(self, statement: str, params: Mapping[str, Any]) -> list[dict[str, Any]]:
        """Run a read and return rows as dicts keyed by column name."""
        try:
            with self._engine.connect() as conn:
                return _as_dicts(_execute(conn, statement, params))
        except DBAPIError as exc:
            raise cannot_open(self.location, exc) from exc


def _lease_params(lease: RunLease) -> dict[str, Any]:
    beat = lease.heartbeat_at
    return {
        "run_id": lease.run_id,
        "lease_token": lease.lease_token,
        "lease_host": lease.lease_host,
        "lease_pid": lease.lease_pid,
        "heartbeat_at": encode_datetime(beat) if beat is not None else None,
    }


def _attempt(lease: RunLease, number: int) -> RunAttempt:
    if lease.heartbeat_at is None or lease.lease_host is None or lease.lease_pid is None:
        raise ValueError("a lease that starts an attempt names its host, pid and start time")
    return RunAttempt(
        run_id=lease.run_id,
        attempt=number,
        started_at=lease.heartbeat_at,
        host=lease.lease_host,
        pid=lease.lease_pid,
        status="running",
    )


def _no_such_run(run_id: str) -> HarnessError:
    return HarnessError(f"no run matches '{run_id}'; list runs with `harness runs`")


def _execute(
    conn: Connection, statement: str, params: Mapping[str, Any] | list[dict[str, Any]]
) -> CursorResult[Any]:
    """Run one of :mod:`sql`'s statements; a list of parameter sets runs it for each."""
    return conn.execute(text(statement), params)


def _exists(conn: Connection, statement: str, params: Mapping[str, Any]) -> bool:
    return _execute(conn, statement, params).first() is not None


def _as_dicts(result: CursorResult[Any]) -> list[dict[str, Any]]:
    return [dict(row) for row in result.mappings().all()]


def _first_line(exc: BaseException) -> str:
    """The driver's message without SQLAlchemy's statement dump and background link."""
    return str(getattr(exc, "orig", exc)).strip().splitlines()[0]


def _insert_scores(conn: Connection, scores: Iterable[ScoreRecord]) -> None:
    """Insert scores one by one so a duplicate can be named in the error (the caller's
    transaction then rolls back whole, so no savepoint is needed)."""
    for score in scores:
        try:
            _execute(conn, sql.INSERT_SCORE, rows.score_to_row(score))
        except IntegrityError as exc:
            raise HarnessError(
                f"score {score.scope} '{score.name}' {score.metric} of run '{score.run_id}' "
                f"could not be stored ({_first_line(exc)}); each metric is stored once per run, "
                "so drop the duplicate"
            ) from exc


def _check_belongs(
    result: TaskResultRecord, scores: Sequence[ScoreRecord], samples: Sequence[SampleRecord]
) -> None:
    """Scores and samples committed with a task must be of that run (and samples of that task).

    A mismatch is a bug in the caller, not a user error, hence ``ValueError``.
    """
    for score in scores:
        if score.run_id != result.run_id:
            raise ValueError(
                f"score run_id {score.run_id!r} differs from task result run_id {result.run_id!r}"
            )
    for sample in samples:
        if (sample.run_id, sample.task) != (result.run_id, result.task):
            raise ValueError(
                f"sample ({sample.run_id!r}, {sample.task!r}) does not belong to task result "
                f"({result.run_id!r}, {result.task!r})"
            )
