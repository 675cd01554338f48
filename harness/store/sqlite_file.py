"""Checks on a store that is an SQLite file, made before SQLite opens it.

A path that already holds something is checked before SQLite touches it (header bytes,
then an ``immutable`` read-only look at its tables), so a text file, a damaged database,
someone else's database or a store from a newer harness is refused byte-identical: SQLite
would otherwise create a schema in it, switch its journal mode or migrate it.
"""

from __future__ import annotations

import sqlite3
import threading
from collections import Counter
from pathlib import Path
from urllib.parse import quote

from harness.errors import HarnessError, cause
from harness.store import sql

SQLITE_MAGIC = b"SQLite format 3\x00"
HEADER_BYTES = 100
# A full page check reads every page; above this size it would slow every command down.
QUICK_CHECK_MAX_BYTES = 256 * 1024 * 1024


def check_store_file(path: Path) -> None:
    """Refuse ``path`` unless it is absent or looks like a harness store we can read.

    Reads only: the header bytes, then the tables through an ``immutable`` connection, which
    takes no locks and creates no journal files.
    """
    if not path.exists() or is_open_here(path):
        return  # nothing to check, or checked when first opened and not to be read as bytes now
    if path.is_dir():
        raise HarnessError(
            f"store path {path} is a folder; pass a file path such as {path / 'results.db'}"
        )
    if not path.is_file():
        raise HarnessError(f"store path {path} is not a regular file; pass a file path")
    size = path.stat().st_size
    try:
        with path.open("rb") as handle:
            header = handle.read(HEADER_BYTES)
    except OSError as exc:
        raise HarnessError(
            f"cannot read store {path} ({exc.strerror}); pass a readable store file"
        ) from None
    if size == 0:
        raise HarnessError(
            f"{path} is an empty file, not a harness store; delete it or pass another --store"
        )
    if not header.startswith(SQLITE_MAGIC) or len(header) < HEADER_BYTES:
        raise HarnessError(
            f"{path} is not a harness store (not an SQLite database); "
            "pass the path of a store or of a file that does not exist yet"
        )
    expected = _size_from_header(header)
    if expected is not None and size < expected:
        raise HarnessError(
            f"store {path} is truncated ({size:,} of {expected:,} bytes); "
            "restore it from a backup or pass another --store"
        )
    _check_tables(path, size)


def _size_from_header(header: bytes) -> int | None:
    """Database size the header claims (page size x page count), when the header says it is valid."""
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(header[28:32], "big")
    valid = header[92:96] == header[24:28] and pages > 0
    return page_size * pages if valid else None


def _check_tables(path: Path, size: int) -> None:
    uri = f"file:{quote(str(path.resolve()))}?mode=ro&immutable=1"
    try:
        conn = sqlite3.connect(uri, uri=True, isolation_level=None)
    except sqlite3.Error as exc:
        raise _damaged(path, exc) from None
    try:
        tables = {
            row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        }
        if size <= QUICK_CHECK_MAX_BYTES:
            problems = conn.execute("PRAGMA quick_check(1)").fetchone()
            if problems is None or problems[0] != "ok":
                raise HarnessError(
                    f"store {path} is damaged ({problems[0] if problems else 'no answer'}); "
                    "restore it from a backup or pass another --store"
                )
        if not tables:
            return  # an empty SQLite file: the store's tables are created in it
        if "schema_version" not in tables:
            raise HarnessError(
                f"{path} is an SQLite database but not a harness store; use a different store path"
            )
        versions = conn.execute(sql.SELECT_SCHEMA_VERSION).fetchall()
    except sqlite3.DatabaseError as exc:
        raise _damaged(path, exc) from None
    finally:
        conn.close()
    if len(versions) != 1:
        raise HarnessError(
            f"store {path} has a damaged schema_version table ({len(versions)} rows); "
            "use a different store path"
        )
    version = versions[0][0]
    if version != sql.SCHEMA_VERSION and version not in sql.MIGRATABLE_VERSIONS:
        raise HarnessError(
            f"store {path} has schema version {version} but this harness reads version "
            f"{sql.SCHEMA_VERSION}; upgrade the harness or use a different store path"
        )


def _damaged(path: Path, exc: sqlite3.Error) -> HarnessError:
    return HarnessError(
        f"store {path} is damaged ({cause(exc)}); restore it from a backup or pass another --store"
    )


# Database files this process holds open through SQLite. Closing *any* descriptor of a file
# drops every POSIX lock the process holds on it, SQLite's included, so reading such a file as
# plain bytes (the pre-check above) while a connection is open could let two writers corrupt
# it (sqlite.org, "How To Corrupt An SQLite Database File", 2.2). The pre-check asks here first.
_OPEN_HERE: Counter[str] = Counter()
_OPEN_LOCK = threading.Lock()


def opened(path: Path) -> str:
    """Note that this process opened ``path``; the key to pass to :func:`closed`."""
    key = str(path.resolve())
    with _OPEN_LOCK:
        _OPEN_HERE[key] += 1
    return key


def closed(key: str) -> None:
    with _OPEN_LOCK:
        _OPEN_HERE[key] -= 1
        if _OPEN_HERE[key] <= 0:
            del _OPEN_HERE[key]


def is_open_here(path: Path) -> bool:
    """Whether this process has the store at ``path`` open (so its file must not be read as bytes)."""
    with _OPEN_LOCK:
        return _OPEN_HERE.get(str(path.resolve()), 0) > 0
