"""open_store finds or creates a well-formed store (SQLite file or PostgreSQL database), and
refuses anything else."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from raw_store import raw_connection, raw_rows
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from store_factories import store_with_run

from harness.errors import HarnessError
from harness.store import SCHEMA_VERSION, open_store


def test_store_uses_wal_journal_mode(tmp_path: Path) -> None:
    with open_store(tmp_path / "harness.db") as store:
        mode = sqlite3.connect(store.path).execute("PRAGMA journal_mode").fetchone()[0]
    assert mode == "wal"


def test_store_enforces_foreign_keys(store_at: str) -> None:
    """SQLite checks foreign keys only when asked per connection; the store's connections ask."""
    insert = text(
        "INSERT INTO run_attempts (run_id, attempt, started_at, host, pid, status)"
        " VALUES ('no-such-run', 1, 't', 'h', 1, 'running')"
    )
    with (
        open_store(store_at) as store,
        pytest.raises(IntegrityError),
        store._writer.begin() as conn,
    ):
        conn.execute(insert)


def test_schema_version_is_the_alembic_head(store_at: str) -> None:
    with open_store(store_at):
        pass
    assert raw_rows(store_at, "SELECT version FROM schema_version") == [(SCHEMA_VERSION,)]
    assert raw_rows(store_at, "SELECT version_num FROM alembic_version") == [("v4",)]
    assert SCHEMA_VERSION == 4


def test_a_new_store_has_every_table_and_no_rows(store_at: str) -> None:
    with open_store(store_at) as store:
        counts = store.count_rows()
    assert counts == {
        "schema_version": 1,
        "models": 0,
        "runs": 0,
        "task_results": 0,
        "scores": 0,
        "samples": 0,
        "gate_decisions": 0,
        "variants": 0,
        "run_attempts": 0,
        "answers": 0,
    }


def test_open_store_creates_missing_parent_folders(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "er" / "harness.db"
    with open_store(path):
        pass
    assert path.is_file()


def test_open_store_accepts_a_string_path(tmp_path: Path) -> None:
    with open_store(str(tmp_path / "harness.db")) as store:
        assert store.path == tmp_path / "harness.db"


def test_open_store_accepts_a_sqlite_url(tmp_path: Path) -> None:
    with open_store(f"sqlite://{tmp_path}/harness.db") as store:
        assert store.path == tmp_path / "harness.db"


def test_reopening_a_store_keeps_its_data(store_at: str) -> None:
    with open_store(store_at) as store:
        run = store_with_run(store)
    with open_store(store_at) as store:
        assert store.get_run(run.run_id) == run
        assert store.count_rows()["schema_version"] == 1  # one row


def test_open_store_rejects_a_url_of_another_database() -> None:
    with pytest.raises(HarnessError) as raised:
        open_store("mysql://user:pw@db/harness")
    assert str(raised.value) == (
        "unsupported store URL scheme 'mysql://'; use a file path, sqlite:///abs/path "
        "or postgresql+psycopg://user@host/db"
    )


def test_an_unreachable_postgresql_store_is_one_line_without_its_password() -> None:
    with pytest.raises(HarnessError) as raised:
        open_store("postgresql://ann:s3cret-pw@127.0.0.1:1/harness")
    message = str(raised.value)
    assert message.startswith("cannot use store postgresql+psycopg://ann:***@127.0.0.1:1/harness (")
    assert "s3cret-pw" not in message and "\n" not in message


def test_a_postgresql_database_with_other_tables_is_refused_untouched(postgres_url: str) -> None:
    with raw_connection(postgres_url) as conn:
        conn.execute(text("CREATE TABLE invoices (id INTEGER PRIMARY KEY)"))
    with pytest.raises(HarnessError, match="is a database but not a harness store"):
        open_store(postgres_url)
    assert raw_rows(
        postgres_url,
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'",
    ) == [("invoices",)]


def test_open_store_rejects_a_sqlite_url_without_an_absolute_path() -> None:
    with pytest.raises(HarnessError, match="unsupported store URL"):
        open_store("sqlite://host/harness.db")


def test_open_store_refuses_a_store_with_a_newer_schema(store_at: str) -> None:
    with open_store(store_at):
        pass
    with raw_connection(store_at) as conn:
        conn.execute(text("UPDATE schema_version SET version = 5"))
    with pytest.raises(HarnessError, match="schema version 5 but this harness reads version 4"):
        open_store(store_at)
    with pytest.raises(HarnessError, match="schema version 5"):
        open_store(store_at, read_only=True)


def test_open_store_refuses_an_unrelated_sqlite_database(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE notes (text TEXT)")
    with pytest.raises(HarnessError, match="not a harness store"):
        open_store(path)


def test_open_store_refuses_a_file_that_is_not_a_database(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("not a database, just some text that is long enough to have a header" * 20)
    before = path.read_bytes(), path.stat().st_mtime_ns
    with pytest.raises(HarnessError, match="not an SQLite database"):
        open_store(path)
    assert (path.read_bytes(), path.stat().st_mtime_ns) == before


def test_a_store_open_in_this_process_is_not_read_as_bytes_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Closing any descriptor of the file would drop SQLite's POSIX locks held by the first
    connection (the heartbeat thread and kept answers open the store a second time)."""
    path = tmp_path / "s.db"
    with open_store(path):
        pass
    real_open = Path.open

    def guarded(self: Path, *args: object, **kwargs: object):  # type: ignore[no-untyped-def]
        assert self.resolve() != path.resolve(), "the open store's file was read as bytes"
        return real_open(self, *args, **kwargs)  # type: ignore[arg-type]

    with open_store(path) as first:
        monkeypatch.setattr(Path, "open", guarded)
        with open_store(path) as second:
            assert second.count_rows() == first.count_rows()
