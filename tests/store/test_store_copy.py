"""``harness store copy``: SQLite -> PostgreSQL -> SQLite gives the same rows; twice adds nothing."""

from __future__ import annotations

import math
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from raw_store import raw_rows
from store_factories import T0, a_model, a_run, a_sample, a_score, a_task_result, minutes

from harness.cli.main import main
from harness.store import (
    GateDecisionRecord,
    RunLease,
    Store,
    VariantRecord,
    open_store,
)
from harness.store.liveness import this_host

# Surrogate keys differ between stores by design; answers are a cache and are not copied.
COMPARED: dict[str, str] = {
    "models": "SELECT * FROM models",
    "runs": "SELECT * FROM runs",
    "run_attempts": "SELECT * FROM run_attempts",
    "task_results": "SELECT * FROM task_results",
    "scores": "SELECT run_id, scope, name, metric, value, stderr, ci_low, ci_high, n,"
    " higher_is_better, extra FROM scores",
    "samples": "SELECT * FROM samples",
    "variants": "SELECT * FROM variants",
    "gate_decisions": "SELECT created_at, baseline_run_id, candidate_run_id, suite, verdict,"
    " policy, exit_code, margins, comparison FROM gate_decisions",
}


def _variant(name: str, parent: str | None, **changes: Any) -> VariantRecord:
    fields: dict[str, Any] = {
        "variant_id": f"{name}-id",
        "name": name,
        "kind": "lora" if parent else "base",
        "parent_id": parent,
        "spec": None if parent else "tiny-random-llama",
        "path": f"/variants/{name}" if parent else None,
        "recipe": "lora" if parent else None,
        "config_hash": None,
        "data_hash": None,
        "weights_hash": f"{name}-weights",
        "total_params": 7_000_000_000,  # more than a 4-byte integer holds
        "trainable_params": 1234,
        "size_bytes": 14_000_000_000,
        "training_seconds": 12.5 if parent else None,
        "final_losses": {"train": 0.25, "eval": math.nan} if parent else {},
        "details": {"lr": 1e-4},
        "created_at": T0 + minutes(1 if parent else 0),
    }
    return VariantRecord(**(fields | changes))


def _fill(store: Store) -> None:
    """Two finished runs with tasks, a running one, a failed one, two variants, a decision."""
    store.upsert_model(a_model())
    for n, run_id in enumerate(("aaaaaaaaaaaa", "bbbbbbbbbbbb")):
        lease = RunLease(
            run_id=run_id,
            status="running",
            lease_token=f"token-{n}",
            lease_host=this_host(),
            lease_pid=100 + n,
            heartbeat_at=T0,
        )
        store.start_run(a_run(run_id, created_at=T0 + minutes(n)), lease)
        for task in ("arc_easy", "boolq"):
            store.commit_task(
                a_task_result(run_id=run_id, task=task),
                [a_score(run_id, name=task, value=0.5 + n / 10, stderr=math.nan)],
                [a_sample(run_id=run_id, task=task, doc_id=i) for i in range(3)],
                lease_token=lease.lease_token,
            )
        store.end_run(
            lease,
            1,
            status="complete",
            wall_time_s=3.25,
            tokens_processed=99,
            aggregates=[a_score(run_id, scope="aggregate", name="mini")],
        )
    store.create_run(a_run("cccccccccccc", created_at=T0 + minutes(3)))  # still running
    store.create_run(a_run("dddddddddddd", created_at=T0 + minutes(4)))
    store.finish_run(
        "dddddddddddd", status="failed", wall_time_s=1.0, tokens_processed=2, error="boom"
    )
    store.add_variant(_variant("root", None))
    store.add_variant(_variant("child", "root-id"))
    store.add_gate_decision(
        GateDecisionRecord(
            created_at=datetime(2025, 2, 1, tzinfo=UTC),
            baseline_run_id="aaaaaaaaaaaa",
            candidate_run_id="bbbbbbbbbbbb",
            suite="mini",
            verdict="pass",
            policy="holm",
            exit_code=0,
            margins={"acc": 0.01},
            comparison={"rows": [1, 2]},
        )
    )


def _table_rows(location: str) -> dict[str, list[tuple[Any, ...]]]:
    return {
        table: sorted(raw_rows(location, statement), key=repr)
        for table, statement in COMPARED.items()
    }


def _copy(source: str, target: str, capsys: pytest.CaptureFixture[str]) -> str:
    assert main(["store", "copy", source, target, "--no-progress"]) == 0
    return capsys.readouterr().out


def test_a_copy_to_postgresql_and_back_gives_the_same_rows_and_twice_adds_nothing(
    tmp_path: Path, postgres_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    source, back = str(tmp_path / "laptop.db"), str(tmp_path / "back.db")
    with open_store(source) as store:
        _fill(store)
    out = _copy(source, postgres_url, capsys)
    assert "copied 3 run(s) (12 samples, 6 scores), 2 variant(s), 1 gate decision(s)" in out
    assert "left out 1 run(s) still in progress (cccccccc)" in out
    _copy(postgres_url, back, capsys)

    expected = _table_rows(source)
    expected["runs"] = [row for row in expected["runs"] if row[0] != "cccccccccccc"]
    assert _table_rows(postgres_url) == expected
    assert _table_rows(back) == expected
    with open_store(back) as store:  # and the records read back alike
        assert store.get_samples("aaaaaaaaaaaa") == open_store(source).get_samples("aaaaaaaaaaaa")
        assert math.isnan(store.get_variant("child-id").final_losses["eval"])  # type: ignore[union-attr]

    with open_store(postgres_url) as store:
        before = store.count_rows()
    again = _copy(source, postgres_url, capsys)
    assert "copied 0 run(s)" in again
    assert "already in" in again and "3 run(s), 2 variant(s), 1 gate decision(s)" in again
    with open_store(postgres_url) as store:
        assert store.count_rows() == before


def test_copying_a_store_onto_itself_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    open_store(path).close()
    assert main(["store", "copy", str(path), f"sqlite://{path}"]) == 2


def test_a_run_id_that_names_another_run_in_dst_is_left_out_not_merged(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source, target = str(tmp_path / "a.db"), str(tmp_path / "b.db")
    for path, created in ((source, T0), (target, T0 + minutes(5))):
        with open_store(path) as store:
            store.upsert_model(a_model())
            store.create_run(a_run("aaaaaaaaaaaa", created_at=created, status="complete"))
    out = _copy(source, target, capsys)
    assert "copied 0 run(s)" in out
    assert "left out run(s) whose id DST gives to a different run: aaaaaaaaaaaa" in out
    with open_store(target) as store:
        assert store.get_run("aaaaaaaaaaaa").created_at == T0 + minutes(5)
