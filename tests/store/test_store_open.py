"""open_store finds or creates a well-formed SQLite store, and refuses anything else."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from store_factories import store_with_run

from harness.errors import HarnessError
from harness.store import SCHEMA_VERSION, open_store


def test_store_uses_wal_journal_mode(tmp_path: Path) -> None:
    with open_store(tmp_path / "harness.db") as store:
        mode = sqlite3.connect(store.path).execute("PRAGMA journal_mode").fetchone()[0]
    assert mode == "wal"


def test_store_enforces_foreign_keys(tmp_path: Path) -> None:
    with open_store(tmp_path / "harness.db") as store:
        assert store._conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1


def test_schema_version_is_three(tmp_path: Path) -> None:
    with open_store(tmp_path / "harness.db") as store:
        rows = sqlite3.connect(store.path).execute("SELECT version FROM schema_version").fetchall()
    assert rows == [(3,)]
    assert SCHEMA_VERSION == 3


def test_a_new_store_has_every_table_and_no_rows(tmp_path: Path) -> None:
    with open_store(tmp_path / "harness.db") as store:
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


def test_reopening_a_store_keeps_its_data(tmp_path: Path) -> None:
    with open_store(tmp_path / "harness.db") as store:
        run = store_with_run(store)
    with open_store(tmp_path / "harness.db") as store:
        assert store.get_run(run.run_id) == run
        assert store.count_rows()["schema_version"] == 1  # one row


def test_open_store_rejects_a_postgresql_url() -> None:
    with pytest.raises(HarnessError) as raised:
        open_store("postgresql://user@db/harness")
    assert str(raised.value) == (
        "unsupported store URL 'postgresql://user@db/harness'; use a file path or sqlite:///path"
    )


def test_open_store_rejects_a_sqlite_url_without_an_absolute_path() -> None:
    with pytest.raises(HarnessError, match="unsupported store URL"):
        open_store("sqlite://host/harness.db")


def test_open_store_refuses_a_store_with_a_newer_schema(tmp_path: Path) -> None:
    path = tmp_path / "harness.db"
    with open_store(path):
        pass
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE schema_version SET version = 4")
    with pytest.raises(HarnessError, match="schema version 4 but this harness reads version 3"):
        open_store(path)


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
