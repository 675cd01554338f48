"""Shared fixtures: the repository's data root, a tiny model, small suites written on the fly,
and stores on both databases (an SQLite file, a database on a real PostgreSQL server)."""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Iterator
from pathlib import Path

import postgres_cluster
import pytest
from toy_suite import write_toy_suite

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """../shared/data beside the repository; tests that read real data skip without it."""
    if not SHARED_DATA.is_dir():
        pytest.skip("../shared/data is not present")
    return SHARED_DATA


@pytest.fixture(scope="session")
def tiny_model():  # type: ignore[no-untyped-def]
    from harness.models import load_model

    return load_model("tiny-random-llama")


@pytest.fixture()
def toy_suite(tmp_path: Path) -> Path:
    """A two-task suite over tiny JSONL files: one multiple choice, one generation."""
    return write_toy_suite(tmp_path)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """The admin URL of a real PostgreSQL server (see tests/postgres_cluster.py).

    Skips where PostgreSQL or psycopg is missing, except under CI, which must test it.
    """
    missing = importlib.util.find_spec("psycopg") is None or (
        postgres_cluster.postgres_bin() is None and not os.environ.get(postgres_cluster.URL_ENV)
    )
    if missing and not os.environ.get("CI"):
        pytest.skip("PostgreSQL or psycopg is not installed (make setup-test installs both)")
    with postgres_cluster.server() as url:
        yield url


@pytest.fixture()
def postgres_url(postgres_server: str) -> Iterator[str]:
    """A store URL naming a new, empty PostgreSQL database, dropped after the test."""
    with postgres_cluster.fresh_database(postgres_server) as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def store_at(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Where a store test keeps its store: run once on an SQLite file, once on PostgreSQL."""
    if request.param == "sqlite":
        return str(tmp_path / "store.db")
    return str(request.getfixturevalue("postgres_url"))
