"""The dashboard and reports open the store read-only: they never create, migrate or write one.

For PostgreSQL the store also works through a role that may only SELECT, as a team would give
its dashboard, and a write through that role is refused by the server.
"""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest
from raw_store import raw_connection
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from store_factories import store_with_run

from harness.errors import HarnessError
from harness.leaderboard import load_snapshot
from harness.store import open_store


def _state(path: Path) -> tuple[str, int]:
    return hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns


def test_a_read_only_store_reads_and_leaves_the_file_unchanged(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    open_store(path).close()
    before = _state(path)
    with open_store(path, read_only=True) as store:
        assert store.list_runs() == []
        with (
            pytest.raises(DBAPIError, match=r"readonly|read-only|query_only"),
            store._engine.begin() as conn,
        ):
            conn.execute(text("CREATE TABLE x (y INTEGER)"))
        with pytest.raises(HarnessError, match="opened read-only"):
            store.add_answers("m", {"r": "{}"})
    assert _state(path) == before


def test_a_read_only_open_never_creates_a_store(tmp_path: Path) -> None:
    with pytest.raises(HarnessError, match="no store at"):
        open_store(tmp_path / "typo.db", read_only=True)
    assert not (tmp_path / "typo.db").exists()


def test_a_read_only_open_does_not_migrate_an_older_store(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    open_store(path).close()
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE schema_version SET version = 1")
    conn.close()
    before = _state(path)
    with pytest.raises(HarnessError, match="schema version 1"):
        open_store(path, read_only=True)
    assert _state(path) == before


def test_a_role_that_may_only_select_reads_the_leaderboard_and_cannot_write(
    postgres_url: str,
) -> None:
    with open_store(postgres_url) as store:
        run = store_with_run(store)
    reader = f"reader_{make_url(postgres_url).database}"
    with raw_connection(postgres_url) as conn:
        conn.execute(text(f"CREATE ROLE {reader} LOGIN PASSWORD 'reader-pw'"))
        conn.execute(text(f"GRANT SELECT ON ALL TABLES IN SCHEMA public TO {reader}"))
    url = (
        make_url(postgres_url)
        .set(username=reader, password="reader-pw")
        .render_as_string(hide_password=False)
    )
    try:
        with open_store(url, read_only=True) as store:
            snapshot = load_snapshot(store)
            assert [r.run_id for r in snapshot.runs] == [run.run_id]
            with (
                pytest.raises(DBAPIError, match="read-only transaction"),
                store._engine.begin() as conn,
            ):
                conn.execute(text("DELETE FROM runs"))
        # Not even a connection without the read-only setting may write as this role.
        with raw_connection(url) as conn, pytest.raises(DBAPIError, match="permission denied"):
            conn.execute(text("DELETE FROM runs"))
        with open_store(url, read_only=True) as store:
            assert store.get_run(run.run_id) == run
    finally:
        with raw_connection(postgres_url) as conn:
            conn.execute(text(f"DROP OWNED BY {reader}"))
            conn.execute(text(f"DROP ROLE {reader}"))
