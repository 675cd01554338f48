"""Create the store's tables, upgrade an older store, or refuse a database we cannot read.

Alembic owns the schema history (``harness/store/migrations``); ``schema_version`` is kept
beside its ``alembic_version`` so that a harness from before Alembic still refuses a newer
store instead of misreading it. Opening a store at the current version costs one query; only
a new, empty database or an older store runs Alembic, inside one transaction that holds the
write lock (SQLite) or an advisory lock (PostgreSQL), so processes opening a new shared store
at the same moment create it once.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError

from harness.errors import HarnessError
from harness.store import sql
from harness.store.engine import cannot_open, is_postgres, writer
from harness.store.location import StoreLocation

MIGRATIONS_PACKAGE = "harness.store:migrations"
# Any fixed 64-bit number: the advisory lock that serialises schema changes on PostgreSQL.
SCHEMA_LOCK_KEY = 0x6861726E657373  # "harness"


@dataclass(frozen=True)
class SchemaState:
    """What a database holds: its schema version, Alembic revision, and whether it is empty."""

    version: int | None
    revision: str | None
    empty: bool

    @property
    def current(self) -> bool:
        return self.version == sql.SCHEMA_VERSION and self.revision == head_revision()


def head_revision() -> str:
    return f"v{sql.SCHEMA_VERSION}"


def ensure_schema(engine: Engine, location: StoreLocation) -> None:
    """Make ``location`` a store at the current version, or refuse it with one line."""
    try:
        with engine.connect() as conn:
            state = read_state(conn, location)
        if state.current:
            return
        with writer(engine).begin() as conn:
            if is_postgres(conn):
                conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": SCHEMA_LOCK_KEY})
            state = read_state(conn, location)  # another process may have migrated meanwhile
            if not state.current:
                _migrate(conn, state)
    except DBAPIError as exc:
        raise cannot_open(location, exc) from None


def check_readable(engine: Engine, location: StoreLocation) -> None:
    """For read-only opens: the store must exist at exactly the current version."""
    try:
        with engine.connect() as conn:
            state = read_state(conn, location)
    except DBAPIError as exc:
        raise cannot_open(location, exc) from None
    if state.empty:
        raise HarnessError(f"no store at {location}; run `harness eval --store {location}` first")
    if state.version != sql.SCHEMA_VERSION:
        raise HarnessError(
            f"store {location} has schema version {state.version}, this harness reads "
            f"{sql.SCHEMA_VERSION}; run `harness runs --store {location}` once to upgrade it, "
            "or use a matching harness"
        )


def read_state(conn: Connection, location: StoreLocation) -> SchemaState:
    """The schema version and revision of the database behind ``conn``; refuse foreign ones."""
    tables = set(inspect(conn).get_table_names())
    if "schema_version" not in tables:
        if tables:
            raise HarnessError(
                f"{location} is a database but not a harness store (it has tables "
                f"{', '.join(sorted(tables)[:3])}...); use a different store"
            )
        return SchemaState(version=None, revision=None, empty=True)
    versions = conn.execute(text(sql.SELECT_SCHEMA_VERSION)).fetchall()
    if len(versions) != 1:
        raise HarnessError(
            f"store {location} has a damaged schema_version table ({len(versions)} rows); "
            "use a different store"
        )
    version = int(versions[0][0])
    if version > sql.SCHEMA_VERSION or (
        version != sql.SCHEMA_VERSION and version not in sql.MIGRATABLE_VERSIONS
    ):
        raise HarnessError(
            f"store {location} has schema version {version} but this harness reads version "
            f"{sql.SCHEMA_VERSION}; upgrade the harness or use a different store"
        )
    revision = None
    if "alembic_version" in tables:
        found = conn.execute(text("SELECT version_num FROM alembic_version")).fetchall()
        revision = str(found[0][0]) if len(found) == 1 else None
    return SchemaState(version=version, revision=revision, empty=False)


def _migrate(conn: Connection, state: SchemaState) -> None:
    """Run Alembic on ``conn`` (already in a locked transaction) up to the head revision."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", MIGRATIONS_PACKAGE)
    config.attributes["connection"] = conn
    if state.version is not None and state.revision is None:
        # Written before Alembic managed the schema: its version says which revision it is at.
        command.stamp(config, f"v{state.version}")
    command.upgrade(config, "head")
