"""The leaderboard names a run's variant as the registry records it, not by where the
weights came from, once those weights are registered."""

from __future__ import annotations

from pathlib import Path

from toy_suite import write_toy_suite

from harness.leaderboard import load_snapshot, variant_of
from harness.registry import ensure_root
from harness.runner import EvalOptions, run_eval
from harness.store import open_store


def test_a_registered_model_shows_its_registry_kind(tmp_path: Path, tiny_model) -> None:  # type: ignore[no-untyped-def]
    suite = write_toy_suite(tmp_path)
    store = tmp_path / "harness.db"
    options = EvalOptions(
        model=tiny_model.spec,
        suite=str(suite),
        data_dir=str(tmp_path / "data"),
        store=store,
        progress=False,
    )
    run_id = run_eval(options, model=tiny_model, log=lambda _line: None).run_id
    with open_store(store) as opened:
        before = variant_of(load_snapshot(opened), opened.get_run(run_id))
    assert before.kind == "random"  # the weights' source scheme: nothing registered yet

    root = ensure_root(store, tiny_model.spec)
    with open_store(store) as opened:
        after = variant_of(load_snapshot(opened), opened.get_run(run_id))
    assert root.weights_hash == tiny_model.weights_hash
    assert (after.kind, after.name) == (root.kind, root.name)
    assert after.kind != "random"
