"""The gate tests' store: two tiny models' runs of the toy suite, made once per module.

Tests that write decisions compare counts before and after, since they share the store.
"""

from __future__ import annotations

import pytest
from gate_runs import GateStore, run_toy, write_toy_suite


@pytest.fixture(scope="module")
def gate_store(tmp_path_factory: pytest.TempPathFactory, tiny_model) -> GateStore:  # type: ignore[no-untyped-def]
    from harness.models import load_model

    root = tmp_path_factory.mktemp("gate")
    suite = write_toy_suite(root)
    store = root / "gate.db"
    other = load_model("tiny-random-llama:seed=1")
    return GateStore(
        path=store,
        first=run_toy(suite, store, tiny_model),
        second=run_toy(suite, store, other),
        mc_only=run_toy(suite, store, tiny_model, tasks=["toy_mc"]),
        gen_only=run_toy(suite, store, tiny_model, tasks=["toy_gen"]),
    )
