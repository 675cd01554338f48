"""Fixtures for the dashboard tests: one filled store for the session, an empty one per test."""

from __future__ import annotations

import pytest
from filled_store import FilledStore, fill_store


@pytest.fixture(scope="session")
def filled_store(tmp_path_factory: pytest.TempPathFactory) -> FilledStore:
    """Three tiny models evaluated on a toy suite (about 5 s, once per session)."""
    return fill_store(tmp_path_factory.mktemp("filled"))
