"""Suite aggregates: one metric may be averaged per several grouping keys, and its overall
value is stored once (the store keeps one score per run, scope, name and metric)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from toy_suite import write_toy_suite

from harness.runner import EvalOptions, run_eval
from harness.store import open_store


def test_a_metric_grouped_two_ways_is_stored_once_overall(tmp_path: Path, tiny_model) -> None:  # type: ignore[no-untyped-def]
    suite = write_toy_suite(tmp_path)
    tasks = suite.parent / "tasks"
    for name, extra in (("toy_mc.yaml", "a, kind: mc"), ("toy_gen.yaml", "b, kind: gen")):
        path = tasks / name
        group = "a" if name == "toy_mc.yaml" else "b"
        path.write_text(path.read_text().replace(f"{{group: {group}}}", f"{{group: {extra}}}"))
    suite.write_text(
        "suite: toy\ntasks: [tasks/toy_mc.yaml, tasks/toy_gen.yaml]\n"
        "aggregate:\n"
        "  - {metric: acc, group_by: group}\n"
        "  - {metric: acc, group_by: kind}\n"
    )
    options = EvalOptions(
        model=tiny_model.spec,
        suite=str(suite),
        data_dir=str(tmp_path / "data"),
        store=tmp_path / "harness.db",
        progress=False,
    )
    run_id = run_eval(options, model=tiny_model, log=lambda _line: None).run_id
    with open_store(tmp_path / "harness.db") as store:
        scores = store.get_scores(run_id, scope="aggregate")
    counts = Counter((s.name, s.metric) for s in scores)
    assert counts == {
        ("toy", "acc"): 1,
        ("toy", "acc_macro"): 1,
        ("toy/a", "acc"): 1,
        ("toy/a", "acc_macro"): 1,
        ("toy/mc", "acc"): 1,
        ("toy/mc", "acc_macro"): 1,
    }
    by_name = {s.name: s.value for s in scores if s.metric == "acc"}
    assert by_name["toy"] == by_name["toy/a"] == by_name["toy/mc"]  # acc exists in toy_mc only
