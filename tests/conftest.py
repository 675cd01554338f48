"""Shared fixtures: the repository's data root, a tiny model, and small suites written on the fly."""

from __future__ import annotations

from pathlib import Path

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
