"""Create the store's tables, or check that an existing file is a store we understand.

The ``schema_version`` table lets a later harness detect an older store and migrate it,
and lets this one refuse a newer store instead of writing rows it would misread.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from harness.errors import HarnessError
from harness.store import sql


def ensure_schema(conn: sqlite3.Connection, path: Path) -> None:
    """Create missing tables in one transaction; refuse foreign or newer databases."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        version = _stored_version(conn, path)
        if (
            version is not None
            and version != sql.SCHEMA_VERSION
            and version not in sql.MIGRATABLE_VERSIONS
        ):
            raise HarnessError(
                f"store {path} has schema version {version} but this harness reads version "
                f"{sql.SCHEMA_VERSION}; upgrade the harness or use a different store path"
            )
        for statement in sql.CREATE_STATEMENTS:
            conn.execute(statement)
        if version is None:
            conn.execute(sql.INSERT_SCHEMA_VERSION, {"version": sql.SCHEMA_VERSION})
        elif version != sql.SCHEMA_VERSION:
            # An older store: the CREATE ... IF NOT EXISTS above added the tables it lacked;
            # each step's statements add what changed in tables it already had.
            for step in range(version, sql.SCHEMA_VERSION):
                for statement in sql.MIGRATIONS[step]:
                    conn.execute(statement)
            conn.execute(sql.UPDATE_SCHEMA_VERSION, {"version": sql.SCHEMA_VERSION})
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise


def _stored_version(conn: sqlite3.Connection, path: Path) -> int | None:
    """The stored schema version, or ``None`` for a new, empty database."""
    if conn.execute(sql.TABLE_EXISTS, {"name": "schema_version"}).fetchone() is None:
        if conn.execute(sql.ANY_TABLE).fetchone() is not None:
            raise HarnessError(
                f"{path} is an SQLite database but not a harness store; use a different store path"
            )
        return None
    rows = conn.execute(sql.SELECT_SCHEMA_VERSION).fetchall()
    if len(rows) != 1:
        raise HarnessError(
            f"store {path} has a damaged schema_version table ({len(rows)} rows); "
            "use a different store path"
        )
    return int(rows[0][0])
