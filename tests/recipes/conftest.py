"""Recipe tests train a tiny random Llama for a few steps in a private harness home and store."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture()
def lab(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, shared_data: Path) -> Path:
    """A fresh harness home (variant folders) and results store for one test.

    The converted models are shared with the real home, so the tiny model's tokenizer is
    not converted again for every test.
    """
    from harness.paths import harness_home

    models = harness_home() / "models"
    home = tmp_path / "home"
    home.mkdir()
    if models.is_dir():
        (home / "models").symlink_to(models)
    monkeypatch.setenv("HARNESS_HOME", str(home))
    monkeypatch.setenv("HARNESS_DATA_DIR", str(shared_data))
    return tmp_path / "store.db"
