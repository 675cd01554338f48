"""The dashboard opens the store read-only: it never creates, migrates or writes one."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest

from harness.errors import HarnessError
from harness.store import open_store


def _state(path: Path) -> tuple[str, int]:
    return hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns


def test_a_read_only_store_reads_and_leaves_the_file_unchanged(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    open_store(path).close()
    before = _state(path)
    with open_store(path, read_only=True) as store:
        assert store.list_runs() == []
        with pytest.raises(sqlite3.OperationalError, match=r"readonly|read-only|query_only"):
            store._conn.execute("CREATE TABLE x (y)")
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
