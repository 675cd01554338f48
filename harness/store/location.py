"""Where a store lives: a local SQLite file, or a PostgreSQL database shared by a team.

Users name a store with ``--store`` (or ``$HARNESS_STORE``) as a file path, a
``sqlite:///abs/path`` URL or a ``postgresql+psycopg://user[:password]@host[:port]/db`` URL.
:class:`StoreLocation` keeps the full URL for connecting and prints only a redacted one, so a
password typed in ``--store`` never reaches a message, a log line, provenance or an export.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from harness.errors import HarnessError
from harness.paths import DEFAULT_STORE

DEFAULT_STORE_PATH = Path(DEFAULT_STORE)
SQLITE_URL_PREFIX = "sqlite://"
# The drivers a PostgreSQL store is reached through: psycopg 3 (``postgresql`` alone means
# psycopg too, not SQLAlchemy's psycopg2 default, which is not installed).
POSTGRES_DRIVERS = {"postgresql": "postgresql+psycopg", "postgresql+psycopg": "postgresql+psycopg"}
REDACTED = "***"


@dataclass(frozen=True)
class StoreLocation:
    """A store's address. ``path`` is set for SQLite files, ``url`` for PostgreSQL.

    ``str()`` is safe to print anywhere: a password in the URL is replaced by ``***``.
    """

    path: Path | None = None
    url: URL | None = field(default=None, compare=False)
    display: str = ""

    @property
    def is_sqlite(self) -> bool:
        return self.path is not None

    @property
    def key(self) -> str:
        """What tells two locations apart, password left out (for caches and comparisons)."""
        return self.display

    def sqlalchemy_url(self) -> URL:
        """The URL an engine connects to, with the password when one was given."""
        if self.url is not None:
            return self.url
        assert self.path is not None
        return URL.create("sqlite+pysqlite", database=str(self.path))

    def secret(self) -> str | None:
        """The password in the URL, if any: what the redaction tests look for."""
        return self.url.password if self.url is not None else None

    def for_child_process(self) -> str:
        """The location with its password, for a child process's environment only (never argv,
        which any user of the machine can read)."""
        if self.url is not None:
            return self.url.render_as_string(hide_password=False)
        assert self.path is not None
        return str(self.path.resolve())

    def __str__(self) -> str:
        return self.display


def store_location(location: str | Path | StoreLocation) -> StoreLocation:
    """The store named by a path, a ``sqlite:///`` URL or a ``postgresql+psycopg://`` URL."""
    if isinstance(location, StoreLocation):
        return location
    if isinstance(location, Path):
        return _sqlite(location.expanduser())
    if not location.strip():
        raise HarnessError("empty store path; pass --store with a file path such as results.db")
    if "://" not in location:
        return _sqlite(Path(location).expanduser())
    if location.startswith(SQLITE_URL_PREFIX):
        rest = location.removeprefix(SQLITE_URL_PREFIX)
        if not rest.startswith("/") or rest == "/":
            raise HarnessError(
                f"unsupported store URL '{location}'; use a file path or sqlite:///abs/path"
            )
        return _sqlite(Path(rest))
    return _postgres(location)


def _sqlite(path: Path) -> StoreLocation:
    return StoreLocation(path=path, display=str(path))


def _postgres(text: str) -> StoreLocation:
    scheme = text.split("://", 1)[0]
    if scheme not in POSTGRES_DRIVERS:
        raise HarnessError(
            f"unsupported store URL scheme '{scheme}://'; use a file path, sqlite:///abs/path "
            "or postgresql+psycopg://user@host/db"
        )
    try:
        url = make_url(text)
    except ArgumentError:
        raise HarnessError(
            f"cannot parse store URL '{scheme}://...'; "
            "write it as postgresql+psycopg://user@host[:port]/db"
        ) from None
    url = url.set(drivername=POSTGRES_DRIVERS[scheme])
    if not url.database:
        raise HarnessError(
            f"store URL {url.render_as_string(hide_password=True)} names no database; "
            "end it with /DATABASE, e.g. postgresql+psycopg://user@host/harness"
        )
    return StoreLocation(url=url, display=url.render_as_string(hide_password=True))


def redact(text: str, location: StoreLocation) -> str:
    """``text`` with the location's password (if any) replaced by ``***``, e.g. a driver error."""
    secret = location.secret()
    return text.replace(secret, REDACTED) if secret else text
