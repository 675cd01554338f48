"""The report tests reuse the dashboard tests' filled store."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "dashboard"))

from filled_store import FilledStore, fill_store


@pytest.fixture(scope="session")
def report_store(tmp_path_factory: pytest.TempPathFactory) -> FilledStore:
    """Three tiny models (two sources, one LoRA child) on a toy suite."""
    return fill_store(tmp_path_factory.mktemp("report_store"))
