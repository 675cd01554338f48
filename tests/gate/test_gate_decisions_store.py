"""The store keeps gate decisions with their two run ids and reads them back unchanged."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from harness.errors import HarnessError
from harness.store import GateDecisionRecord, ModelRecord, RunRecord, Store, open_store

T0 = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


def store_with_run(store: Store, run_id: str) -> None:
    store.upsert_model(
        ModelRecord(
            model_hash="m" * 64, spec="m", name="m", source="test", n_parameters=1, dtype="f32"
        )
    )
    store.create_run(
        RunRecord(
            run_id=run_id,
            created_at=T0,
            status="complete",
            suite="mmlu",
            suite_hash="s" * 64,
            model_spec="m",
            model_hash="m" * 64,
            harness_version="0.1.0",
            git_commit=None,
            device="cpu",
            dtype="f32",
            config={},
        )
    )


def a_decision(**changes: object) -> GateDecisionRecord:
    fields: dict[str, object] = {
        "created_at": T0,
        "baseline_run_id": "aaaaaaaaaaaa",
        "candidate_run_id": "bbbbbbbbbbbb",
        "suite": "mmlu",
        "verdict": "inconclusive",
        "policy": "warn",
        "exit_code": 0,
        "margins": {"mmlu.acc": 0.01},
        "comparison": {"rows": [{"metric": "acc", "ci_low": -0.03, "ci_high": 0.01}]},
    }
    return GateDecisionRecord(**(fields | changes))  # type: ignore[arg-type]


def test_a_decision_reads_back_with_its_id_for_either_run(tmp_path: Path) -> None:
    with open_store(tmp_path / "s.db") as store:
        store_with_run(store, "aaaaaaaaaaaa")
        store_with_run(store, "bbbbbbbbbbbb")
        store_with_run(store, "cccccccccccc")
        decision_id = store.add_gate_decision(a_decision())
        expected = a_decision(decision_id=decision_id)
        assert store.get_gate_decisions("aaaaaaaaaaaa") == [expected]
        assert store.get_gate_decisions("bbbbbbbbbbbb") == [expected]
        assert store.get_gate_decisions("cccccccccccc") == []
        assert store.count_rows()["gate_decisions"] == 1


def test_a_decision_about_an_unknown_run_is_refused(tmp_path: Path) -> None:
    with open_store(tmp_path / "s.db") as store:
        store_with_run(store, "aaaaaaaaaaaa")
        with pytest.raises(HarnessError, match="no run matches 'bbbbbbbbbbbb'"):
            store.add_gate_decision(a_decision())
        assert store.count_rows()["gate_decisions"] == 0


def test_a_model_specs_baseline_run_has_the_same_items_and_dtype(tmp_path: Path) -> None:
    from harness.compare.resolve import latest_matching_run

    with open_store(tmp_path / "s.db") as store:
        store_with_run(store, "aaaaaaaaaaaa")  # float32 ("f32"), config {}
        store.create_run(
            store.get_run("aaaaaaaaaaaa").model_copy(
                update={
                    "run_id": "bbbbbbbbbbbb",
                    "dtype": "bfloat16",
                    "created_at": T0.replace(hour=9),
                }
            )
        )
        newest = latest_matching_run(store, "m", "mmlu", {})
        same_dtype = latest_matching_run(store, "m", "mmlu", {}, dtype="f32")
        other_items = latest_matching_run(store, "m", "mmlu", {"limit": 5})
    assert (newest and newest.run_id, same_dtype and same_dtype.run_id) == (
        "bbbbbbbbbbbb",
        "aaaaaaaaaaaa",
    )
    assert other_items is None
