"""Run leases in the store: one holder at a time, stale when its holder is gone, v2 upgraded."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest
from raw_store import make_version, raw_connection, raw_rows
from sqlalchemy import text
from store_factories import (
    a_model,
    a_run,
    a_sample,
    a_score,
    a_task_result,
)

from harness.store import SCHEMA_VERSION, LeaseLost, RunLease, Store, open_store
from harness.store.liveness import STALE_AFTER_S, run_state, this_host


def _lease(run_id: str, token: str, *, pid: int = 4242, ago_s: float = 0.0) -> RunLease:
    return RunLease(
        run_id=run_id,
        status="running",
        lease_token=token,
        lease_host=this_host(),
        lease_pid=pid,
        heartbeat_at=datetime.now(UTC) - timedelta(seconds=ago_s),
    )


def _started(store: Store, token: str = "first") -> RunLease:
    store.upsert_model(a_model())
    lease = _lease("0123456789ab", token)
    assert store.start_run(a_run(), lease) == 1
    return lease


def _dead_pid() -> int:
    """The id of a process that has exited (and been reaped)."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_a_started_run_records_its_holder_and_first_attempt(store_at: str) -> None:
    with open_store(store_at) as store:
        lease = _started(store)
        assert store.get_lease(lease.run_id) == lease
        (attempt,) = store.get_attempts(lease.run_id)
        assert (attempt.attempt, attempt.status, attempt.pid) == (1, "running", 4242)


def test_of_two_processes_taking_over_the_same_run_exactly_one_wins(store_at: str) -> None:
    with open_store(store_at) as first, open_store(store_at) as second:
        _started(first, token="crashed")
        first.end_run(
            first.get_lease("0123456789ab"), 1, status="failed", wall_time_s=1, tokens_processed=1
        )
        seen_a = first.get_lease("0123456789ab")
        seen_b = second.get_lease("0123456789ab")  # both saw the failed run before either wrote
        won = first.take_over(seen_a, _lease("0123456789ab", "a", pid=1))
        lost = second.take_over(seen_b, _lease("0123456789ab", "b", pid=2))
        assert (won, lost) == (2, None)
        assert second.get_lease("0123456789ab").lease_token == "a"
        assert first.get_run("0123456789ab").status == "running"


def test_the_loser_of_a_lease_can_neither_commit_nor_mark_the_run(store_at: str) -> None:
    with open_store(store_at) as store:
        old = _started(store, token="old")
        with raw_connection(store.location) as conn:  # the old holder went silent
            conn.execute(text("UPDATE runs SET heartbeat_at = NULL"))
        assert store.take_over(store.get_lease(old.run_id), _lease(old.run_id, "new")) == 2
        before = store.count_rows()
        with pytest.raises(LeaseLost, match="taken over by another process"):
            store.commit_task(
                a_task_result(), [a_score()], [a_sample()], lease_token=old.lease_token
            )
        assert not store.end_run(old, 1, status="failed", wall_time_s=1.0, tokens_processed=1)
        assert not store.heartbeat(old, 1, wall_time_s=1.0, tokens_processed=1)
        assert store.count_rows() == before
        assert store.get_run(old.run_id).status == "running"


def test_a_complete_run_sums_its_attempts_and_keeps_each(store_at: str) -> None:
    with open_store(store_at) as store:
        first = _started(store)
        store.heartbeat(first, 1, wall_time_s=2.0, tokens_processed=20)  # then it was killed
        second = _lease(first.run_id, "second", pid=_dead_pid())
        assert store.take_over(store.get_lease(first.run_id), second) == 2
        aggregate = a_score(scope="aggregate", name="smoke")
        assert store.end_run(
            second,
            2,
            status="complete",
            wall_time_s=3.0,
            tokens_processed=30,
            aggregates=[aggregate],
        )
        run = store.get_run(first.run_id)
        assert (run.status, run.wall_time_s, run.tokens_processed) == ("complete", 5.0, 50)
        attempts = store.get_attempts(first.run_id)
        assert [(a.status, a.wall_time_s, a.tokens_processed) for a in attempts] == [
            ("failed", 2.0, 20),
            ("complete", 3.0, 30),
        ]
        assert store.get_scores(first.run_id, scope="aggregate") == [aggregate]


def test_a_running_run_is_stale_once_its_heartbeat_is_old_or_its_pid_is_gone() -> None:
    alive = _lease("r", "t", pid=os.getpid())
    assert run_state(alive) == "running"
    assert run_state(_lease("r", "t", pid=os.getpid(), ago_s=STALE_AFTER_S + 1)) == "stale"
    assert run_state(_lease("r", "t", pid=_dead_pid())) == "stale"
    elsewhere = _lease("r", "t", pid=_dead_pid()).model_copy(update={"lease_host": "other-host"})
    assert run_state(elsewhere) == "running"  # another host's pid cannot be checked from here
    assert run_state(alive.model_copy(update={"status": "complete"})) == "complete"


@pytest.mark.parametrize("version", [2, 3])
def test_an_older_store_is_upgraded_in_place_keeping_its_runs(store_at: str, version: int) -> None:
    path = store_at
    with open_store(path) as store:
        store.upsert_model(a_model())
        run = a_run(status="complete", wall_time_s=4.0, tokens_processed=40)
        store.create_run(run)
    make_version(path, version)
    with open_store(path) as store:
        assert store.get_run(run.run_id) == run
        lease = store.get_lease(run.run_id)
        assert (lease.lease_token, run_state(lease)) == (None, "complete")
        if version == 2:  # a run from before attempts counts as its own first attempt
            (attempt,) = store.get_attempts(run.run_id)
            assert (attempt.attempt, attempt.wall_time_s, attempt.tokens_processed) == (1, 4.0, 40)
        assert store.count_rows()["answers"] == 0  # version 4's table is there
    assert raw_rows(path, "SELECT version FROM schema_version") == [(SCHEMA_VERSION,)]
    assert raw_rows(path, "SELECT version_num FROM alembic_version") == [(f"v{SCHEMA_VERSION}",)]
