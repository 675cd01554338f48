"""A store's tables read and changed around the store's own code, on either database.

For tests that check columns exactly as stored, or make a store look like one an older
harness wrote.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import Connection
from sqlalchemy.pool import NullPool

from harness.store import store_location


@contextmanager
def raw_connection(location: Any) -> Iterator[Connection]:
    """A plain connection to a store's database (either kind), in a committed transaction:
    for looking at columns exactly as stored, or making a store look like an older one."""
    engine = create_engine(store_location(location).sqlalchemy_url(), poolclass=NullPool)
    try:
        with engine.begin() as conn:
            yield conn
    finally:
        engine.dispose()


def raw_rows(location: Any, statement: str, **params: Any) -> list[tuple[Any, ...]]:
    """The rows of one statement, read around the store's own code."""
    with raw_connection(location) as conn:
        return [tuple(row) for row in conn.execute(text(statement), params)]


def make_version(location: Any, version: int) -> None:
    """Turn a fresh store into what a harness of schema ``version`` (1, 2 or 3) wrote, before
    Alembic managed it: no ``alembic_version``, and the tables and columns of that version."""
    with raw_connection(location) as conn:
        conn.execute(text("DROP TABLE alembic_version"))
        if version <= 2:
            conn.execute(text("DROP TABLE run_attempts"))
            conn.execute(text("DROP TABLE answers"))
            for column in ("lease_token", "lease_host", "lease_pid", "heartbeat_at"):
                conn.execute(text(f"ALTER TABLE runs DROP COLUMN {column}"))
        if version <= 1:
            conn.execute(text("DROP TABLE variants"))
        conn.execute(text("UPDATE schema_version SET version = :v"), {"v": version})
