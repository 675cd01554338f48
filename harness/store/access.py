"""Open a store by what the user typed: check it first, create it only when writing.

A read command never creates a store as a side effect of a typo, and a file that is not a
store of ours is refused byte-identical before SQLite touches it (see :mod:`sqlite_file`).
"""

from __future__ import annotations

from pathlib import Path

from harness.errors import HarnessError
from harness.store.database import Store
from harness.store.location import DEFAULT_STORE_PATH, StoreLocation, store_location
from harness.store.sqlite_file import check_store_file

Location = str | Path | StoreLocation
"""How callers name a store: a path, a URL, or a parsed :class:`StoreLocation`."""


def check_store(location: Location) -> StoreLocation:
    """Parse ``location`` and, for an SQLite file already there, check that it is a store."""
    found = store_location(location)
    if found.path is not None:
        check_store_file(found.path)
    return found


def existing_store(location: Location) -> StoreLocation:
    """The location of a store that must already exist (a database server is asked on open)."""
    found = check_store(location)
    if found.path is not None and not found.path.exists():
        raise HarnessError(f"no store at {found.path}; run `harness eval` first or pass --store")
    return found


def open_store(location: Location = DEFAULT_STORE_PATH, *, read_only: bool = False) -> Store:
    """Open the store at ``location``, after checking that a file already there is one of ours.

    Writable (the default): created if needed (with parent folders for a file; the tables
    for an empty database), and an older store is upgraded. ``read_only``: the store must
    exist and is never written.
    """
    if read_only:
        return Store(existing_store(location), read_only=True)
    found = check_store(location)
    if found.path is not None:
        try:
            found.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise HarnessError(
                f"cannot create the folder for store {found.path} ({exc.strerror}); "
                "pass a store path in a writable folder"
            ) from exc
    return Store(found)


def store_exists(location: Location) -> bool:
    """Whether there may be runs to read: an SQLite file that exists, or any database URL
    (a server is asked when the store is opened; an empty database reads as an empty store)."""
    found = store_location(location)
    return found.path is None or found.path.is_file()
