"""SQLAlchemy engines for the two databases a store can live in, with their differences here.

SQLite: one file, WAL so a dashboard reads while a run writes, foreign keys on, and every
write transaction opened with ``BEGIN IMMEDIATE`` (the write lock up front, so the existence
checks made inside a transaction still hold when its inserts run). pysqlite's own
transaction handling is switched off (``isolation_level=None``) and SQLAlchemy's ``begin``
event emits the ``BEGIN`` instead — SQLAlchemy's documented recipe for SQLite.

PostgreSQL (psycopg 3): READ COMMITTED, the server's default; writes that depend on who holds
a run lock that run's row (``FOR UPDATE``, see :mod:`harness.store.database`), and schema
changes hold an advisory lock. Read-only stores get ``default_transaction_read_only``, so
even a bug cannot write through them.
"""

from __future__ import annotations

import sqlite3
from typing import Any
from urllib.parse import quote

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError, NoSuchModuleError
from sqlalchemy.pool import StaticPool

from harness.errors import HarnessError, cause
from harness.store.location import StoreLocation, redact

BUSY_TIMEOUT_S = 30.0
CONNECT_TIMEOUT_S = 10
BEGIN_OPTION = "harness_sqlite_begin"
"""Execution option naming how a SQLite transaction begins: ``IMMEDIATE`` for writes."""


def make_engine(location: StoreLocation, *, read_only: bool = False) -> Engine:
    """An engine for ``location``; nothing is connected until the first statement."""
    if location.path is not None:
        return _sqlite_engine(location, read_only=read_only)
    return _postgres_engine(location, read_only=read_only)


def writer(engine: Engine) -> Engine:
    """The same engine, whose transactions take SQLite's write lock when they begin."""
    return engine.execution_options(**{BEGIN_OPTION: "IMMEDIATE"})


def is_postgres(engine: Engine | Connection) -> bool:
    return engine.dialect.name == "postgresql"


def cannot_open(location: StoreLocation, exc: BaseException) -> HarnessError:
    """One line for a store that cannot be reached or read, the password left out."""
    reason = redact(cause(getattr(exc, "orig", None) or exc), location)
    if location.is_sqlite:
        return HarnessError(
            f"cannot open store {location} ({reason}); pass the path of a writable SQLite file"
        )
    return HarnessError(
        f"cannot use store {location} ({reason}); check that the server runs, the database "
        "exists and the credentials are right (PGPASSWORD or ~/.pgpass keep the password out "
        "of the URL)"
    )


def _sqlite_engine(location: StoreLocation, *, read_only: bool) -> Engine:
    path = location.path
    assert path is not None

    def connect() -> sqlite3.Connection:
        if read_only:
            # mode=ro keeps SQLite from writing the file; query_only refuses write statements.
            uri = f"file:{quote(str(path.resolve()))}?mode=ro"
            conn = sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_S, isolation_level=None)
            conn.execute("PRAGMA query_only = ON")
        else:
            conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
            conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA foreign_keys = ON")
        return conn

    # One connection per store object, as before SQLAlchemy: opened on first use, used by one
    # thread (another thread opens its own store), closed by Store.close().
    engine = create_engine("sqlite+pysqlite://", creator=connect, poolclass=StaticPool)

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        mode = conn.get_execution_options().get(BEGIN_OPTION, "DEFERRED")
        conn.exec_driver_sql(f"BEGIN {mode}")

    return engine


def _postgres_engine(location: StoreLocation, *, read_only: bool) -> Engine:
    connect_args: dict[str, Any] = {"connect_timeout": CONNECT_TIMEOUT_S}
    if read_only:
        connect_args["options"] = "-c default_transaction_read_only=on"
    try:
        return create_engine(
            location.sqlalchemy_url(),
            connect_args=connect_args,
            pool_size=2,
            max_overflow=2,
            pool_pre_ping=True,
        )
    except (NoSuchModuleError, ModuleNotFoundError):
        raise HarnessError(
            f"store {location} is a PostgreSQL database, which needs psycopg; "
            "install it with pip install 'harness-lab[postgres]'"
        ) from None
    except DBAPIError as exc:
        raise cannot_open(location, exc) from None
