"""Fixtures for the registry tests: a fresh store with the tiny model registered as a root."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.registry import Variant, ensure_root


@pytest.fixture()
def registry_store(tmp_path: Path) -> Path:
    """Where the test's store lives; the file is created by the first write."""
    return tmp_path / "harness.db"


@pytest.fixture()
def tiny_root(registry_store: Path) -> Variant:
    """``tiny-random-llama`` registered as a root in ``registry_store``."""
    return ensure_root(registry_store, "tiny-random-llama")
