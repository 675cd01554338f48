"""Where a store lives: turn what the user typed into an open :class:`Store`.

Only local SQLite files are supported today; the URL form exists so that a PostgreSQL
store can be added later without changing how users name stores.
"""

from __future__ import annotations

from pathlib import Path

from harness.errors import HarnessError
from harness.paths import DEFAULT_STORE
from harness.store.sqlite import Store

DEFAULT_STORE_PATH = Path(DEFAULT_STORE)
SQLITE_URL_PREFIX = "sqlite://"


def store_path(location: str | Path) -> Path:
    """The database file named by a path or a ``sqlite:///abs/path`` URL."""
    if isinstance(location, Path):
        return location.expanduser()
    if "://" not in location:
        return Path(location).expanduser()
    rest = location.removeprefix(SQLITE_URL_PREFIX)
    if rest == location or not rest.startswith("/") or rest == "/":
        raise HarnessError(f"unsupported store URL '{location}'; use a file path or sqlite:///path")
    return Path(rest)


def open_store(location: str | Path = DEFAULT_STORE_PATH) -> Store:
    """Open (creating if needed, with parent folders and schema) the store at ``location``."""
    path = store_path(location)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise HarnessError(
            f"cannot create the folder for store {path} ({exc.strerror}); "
            "pass a store path in a writable folder"
        ) from exc
    return Store(path)
