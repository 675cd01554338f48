"""``harness report finetune``: each variant's change vs its parent on paired items."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from registry_factories import register_lora

from harness.cli.main import main
from harness.registry import Variant, load_variant
from harness.report.finetune import finetune_table
from harness.runner import EvalOptions, run_eval
from harness.store import open_store


def _evaluate(store: Path, suite: Path, variant: str) -> str:
    options = EvalOptions(
        model=variant,
        suite=str(suite),
        data_dir=str(suite.parent.parent / "data"),
        store=store,
        progress=False,
    )
    return run_eval(options, model=load_variant(store, variant)).run_id


def _item_mean(store: Path, run_id: str, metric: str) -> float:
    with open_store(store) as opened:
        values = [s.metrics[metric] for s in opened.get_samples(run_id) if metric in s.metrics]
    return sum(values) / len(values)


def test_the_table_pairs_each_variant_with_its_parent(
    registry_store: Path, tiny_root: Variant, tmp_path: Path, toy_suite: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    register_lora(registry_store, tiny_root, tmp_path / "lora", boost=300.0)
    parent_run = _evaluate(registry_store, toy_suite, tiny_root.name)
    child_run = _evaluate(registry_store, toy_suite, "tiny-lora")
    rows = finetune_table(registry_store, "tiny-lora", summary_suite="toy", knowledge_suite="toy")
    assert [(row.variant.name, row.depth) for row in rows] == [
        ("tiny-random-llama", 0),
        ("tiny-lora", 1),
    ]
    root_lines = {line.metric: line for line in rows[0].lines if line.suite == "toy"}
    assert root_lines["acc"].change is None
    assert root_lines["acc"].value == pytest.approx(_item_mean(registry_store, parent_run, "acc"))
    child = {line.metric: line for line in rows[1].lines}
    for metric in ("acc", "rouge1"):
        change = child[metric].change
        assert change is not None
        expected = _item_mean(registry_store, child_run, metric) - _item_mean(
            registry_store, parent_run, metric
        )
        assert change.difference == pytest.approx(expected)
        assert change.ci_low <= change.difference <= change.ci_high
    assert rows[1].baseline is not None and rows[1].baseline.name == "tiny-random-llama"

    argv = ["report", "finetune", "--variant", "tiny-lora", "--store", str(registry_store)]
    assert main([*argv, "--summary-suite", "toy", "--knowledge-suite", "toy"]) == 0
    out = capsys.readouterr().out
    assert "change vs parent" in out
    expected = child["acc"].change
    assert expected is not None and expected.difference != 0  # the boosted adapter moved acc
    assert re.search(r"^  tiny-lora\s+lora\s+1\.79K \(0\.06%\)\s+1\.5s\s+toy\s+rouge1", out, re.M)
    cells = [
        f"{child['acc'].value:.4f}",
        f"{expected.difference:+.4f}",
        f"[{expected.ci_low:+.4f},",
        f"{expected.ci_high:+.4f}]",
    ]
    assert out.splitlines()[-1].split()[:6] == ["toy", "acc", *cells]


def test_missing_runs_become_notes(
    registry_store: Path, tiny_root: Variant, tmp_path: Path
) -> None:
    register_lora(registry_store, tiny_root, tmp_path / "lora")
    rows = finetune_table(registry_store, "tiny-random-llama")
    assert rows[1].lines == []
    assert rows[1].notes == [
        "no complete dialogsum run (harness eval --model tiny-lora --suite dialogsum)",
        "no complete mmlu run (harness eval --model tiny-lora --suite mmlu)",
    ]


def test_rows_can_be_compared_with_the_root_or_any_named_variant(
    registry_store: Path, tiny_root: Variant, tmp_path: Path
) -> None:
    register_lora(registry_store, tiny_root, tmp_path / "lora")
    rows = finetune_table(registry_store, "tiny-lora", against="root")
    assert [r.baseline.name if r.baseline else None for r in rows] == [None, "tiny-random-llama"]
    rows = finetune_table(registry_store, "tiny-lora", against="tiny-lora")
    assert [r.baseline.name if r.baseline else None for r in rows] == ["tiny-lora", None]
