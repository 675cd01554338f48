"""Fixtures for the dashboard tests: one filled store for the session, an empty one per test."""

from __future__ import annotations

from pathlib import Path

import pytest
from filled_store import FilledStore, fill_store


@pytest.fixture(scope="session")
def filled_store(tmp_path_factory: pytest.TempPathFactory) -> FilledStore:
    """Three tiny models evaluated on a toy suite (about 5 s, once per session)."""
    return fill_store(tmp_path_factory.mktemp("filled"))


@pytest.fixture(scope="session")
def react_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One ReAct run of the tiny model on one BoolQ question (about 5 s, once per session)."""
    from harness.models import load_model
    from harness.runner import EvalOptions, run_eval

    path = tmp_path_factory.mktemp("react") / "harness.db"
    options = EvalOptions(
        model="tiny-random-llama",
        suite="react",
        limit=1,
        gen={"max_new_tokens": 6},
        store=path,
        progress=False,
    )
    run_eval(options, model=load_model("tiny-random-llama"), log=lambda _: None)
    return path
