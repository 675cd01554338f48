"""`harness runs`, `show` and `export` read what `eval` stored."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness.cli.main import main
from harness.runner import EvalOptions, run_eval


@pytest.fixture()
def stored_run(toy_suite: Path, tmp_path: Path, tiny_model) -> tuple[Path, str]:  # type: ignore[no-untyped-def]
    store = tmp_path / "s.db"
    options = EvalOptions(
        model="tiny-random-llama",
        suite=str(toy_suite),
        store=store,
        progress=False,
        data_dir=str(toy_suite.parent.parent / "data"),
    )
    return store, run_eval(options, model=tiny_model).run_id


def test_runs_lists_the_run(
    stored_run: tuple[Path, str], capsys: pytest.CaptureFixture[str]
) -> None:
    store, run_id = stored_run
    assert main(["runs", "--store", str(store)]) == 0
    out = capsys.readouterr().out
    assert run_id in out and "complete" in out and "toy" in out


def test_show_prints_task_and_aggregate_rows(
    stored_run: tuple[Path, str], capsys: pytest.CaptureFixture[str]
) -> None:
    store, run_id = stored_run
    assert main(["show", run_id[:5], "--store", str(store)]) == 0
    out = capsys.readouterr().out
    assert "toy_mc" in out and "toy_gen" in out and "[toy/a]" in out and "tiny-random-llama" in out


def test_export_writes_lm_eval_results_schema(
    stored_run: tuple[Path, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store, run_id = stored_run
    out = tmp_path / "results.json"
    assert (
        main(["export", run_id, "--format", "lm-eval", "--out", str(out), "--store", str(store)])
        == 0
    )
    payload = json.loads(out.read_text())
    assert set(payload["results"]) == {"toy_mc", "toy_gen"}
    mc = payload["results"]["toy_mc"]
    assert 0.0 <= mc["acc,none"] <= 1.0 and "acc_stderr,none" in mc
    assert payload["n-shot"] == {"toy_mc": 0, "toy_gen": 0}
    assert payload["n-samples"]["toy_mc"] == {"original": 3, "effective": 3}
    assert payload["groups"]["toy"]["acc,none"] == mc["acc,none"]
    assert payload["configs"]["toy_mc"]["output_type"] == "multiple_choice"


def test_harness_store_in_the_environment_names_the_store_of_every_command(
    stored_run: tuple[Path, str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    store, run_id = stored_run
    monkeypatch.setenv("HARNESS_STORE", str(store))
    assert main(["runs"]) == 0
    assert main(["show", run_id[:6]]) == 0
    assert run_id in capsys.readouterr().out
