"""``harness import lm-eval`` of files lm-eval itself wrote, on a tiny model and a few items.

lm-eval runs here as a user runs it (``simple_evaluate`` with ``--log_samples``, its
EvaluationTracker writing results_*.json and samples_*.jsonl) over lm-eval's own COPA and
CB task files pointed at the local data. The import must keep every score (``harness export
--format lm-eval`` gives them back) and pair item by item with our own run of the same task
files on the same weights.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from lm_eval_reference import our_task, reference_task

from harness.cli.main import main
from harness.store import open_store

N_DOCS = 5
TASKS = ("copa", "cb")


@pytest.fixture(autouse=True)
def _offline(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")


@pytest.fixture(scope="module")
def lm_eval_output(tiny_model, shared_data: Path, tmp_path_factory) -> Path:  # type: ignore[no-untyped-def]
    """The folder lm-eval wrote: results_DATE.json and one samples_TASK_DATE.jsonl per task."""
    from lm_eval import simple_evaluate
    from lm_eval.loggers import EvaluationTracker
    from lm_eval.models.huggingface import HFLM

    tmp = tmp_path_factory.mktemp("lm_eval")
    tasks = [
        reference_task(our_task(name, shared_data), shared_data, tmp / name, shots=0)
        for name in TASKS
    ]
    hflm = HFLM(pretrained=tiny_model.model, tokenizer=tiny_model.tokenizer, batch_size=4)
    tracker = EvaluationTracker(output_path=str(tmp / "out"))
    results = simple_evaluate(
        model=hflm,
        tasks=tasks,
        limit=N_DOCS,
        log_samples=True,
        evaluation_tracker=tracker,
        fewshot_random_seed=1234,
        bootstrap_iters=0,
    )
    assert results is not None
    samples = results.pop("samples")
    tracker.save_results_aggregated(results=results, samples=samples)
    for name in results["configs"]:
        tracker.save_results_samples(task_name=name, samples=samples[name])
    return tmp / "out"


def _results_file(folder: Path) -> Path:
    (found,) = folder.rglob("results_*.json")
    return found


def _import(results: Path, store: Path, *extra: str) -> str:
    assert main(["import", "lm-eval", str(results), "--store", str(store), *extra]) == 0
    with open_store(store) as opened:
        return opened.list_runs(limit=1)[0].run_id


def _metric_values(entry: dict[str, Any]) -> dict[str, float]:
    return {
        k: v
        for k, v in entry.items()
        if "," in k and "_stderr" not in k and isinstance(v, int | float)
    }


def test_import_round_trips_through_export_to_lm_eval_scores(
    lm_eval_output: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    results = _results_file(lm_eval_output)
    written = json.loads(results.read_text())
    run_id = _import(results, tmp_path / "s.db", "--samples", str(results.parent))
    capsys.readouterr()
    assert main(["export", run_id, "--store", str(tmp_path / "s.db")]) == 0
    exported = json.loads(capsys.readouterr().out)
    for task in TASKS:
        theirs = _metric_values(written["results"][task])
        assert theirs  # lm-eval scored the task
        assert _metric_values(exported["results"][task]) == theirs
        assert exported["n-shot"][task] == written["n-shot"][task]
        assert exported["versions"][task] == written["versions"][task]
    with open_store(tmp_path / "s.db") as store:
        run = store.get_run(run_id)
        model = store.get_model(run.model_hash)
        samples = store.get_samples(run_id)
    assert run.status == "complete"
    from harness.leaderboard.snapshot import load_snapshot
    from harness.leaderboard.table import build_leaderboard

    with open_store(tmp_path / "s.db") as store:
        board = build_leaderboard(load_snapshot(store))
    assert [row.name for row in board.rows] == [model.name]
    assert run.suite == "lm-eval:" + ",".join(written["results"])
    assert run.config["lm_eval_version"] == written["lm_eval_version"]
    assert run.git_commit == written["git_hash"]
    assert model is not None and model.model_hash.startswith("lm-eval:")
    assert model.details["weights_hashed"] is False
    # one sample per document, its per-item metric as lm-eval logged it
    assert sorted((s.task, s.doc_id) for s in samples) == sorted(
        (t, i) for t in TASKS for i in range(N_DOCS)
    )
    for task in TASKS:
        mean = sum(s.metrics["acc"] for s in samples if s.task == task) / N_DOCS
        assert mean == written["results"][task]["acc,none"]


def test_imported_run_pairs_item_by_item_with_our_run_of_the_same_task_files(
    lm_eval_output: Path, tiny_model, shared_data: Path, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    from harness.compare import compare_runs
    from harness.runner import EvalOptions, run_eval

    store_file = tmp_path / "s.db"
    results = _results_file(lm_eval_output)
    imported = _import(results, store_file, "--samples", str(results.parent))
    ours = run_eval(
        EvalOptions(
            model="tiny-random-llama",
            lm_eval_tasks=list(TASKS),
            limit=N_DOCS,
            data_dir=str(shared_data),
            store=store_file,
            progress=False,
        ),
        model=tiny_model,
        log=lambda _: None,
    )
    with open_store(store_file) as store:
        comparison = compare_runs(store, store.get_run(imported), store.get_run(ours.run_id))
        their_samples = {(s.task, s.doc_id): s for s in store.get_samples(imported)}
        our_samples = store.get_samples(ours.run_id)
    assert not [n for n in comparison.notes if "paired" in n]  # every item found its pair
    # CB's f1 has no per-item value on either side (lm-eval aggregates (gold, pred) pairs)
    assert [n for n in comparison.notes if "left out" in n] == [
        "not comparable item by item, left out: f1"
    ]
    rows = {(r.name, r.metric): r for r in comparison.rows}
    for task in TASKS:
        assert (task, "acc") in rows
        assert rows[(task, "acc")].n == N_DOCS
    # Same weights, same requests: every item scores the same on both sides.
    for sample in our_samples:
        theirs = their_samples[(sample.task, sample.doc_id)]
        assert (theirs.doc_hash, theirs.prompt_hash) == (sample.doc_hash, sample.prompt_hash)
        assert theirs.metrics["acc"] == sample.metrics["acc"]
        assert theirs.prediction == sample.prediction


def test_import_without_samples_stores_the_scores_only(
    lm_eval_output: Path, tmp_path: Path
) -> None:
    run_id = _import(_results_file(lm_eval_output), tmp_path / "s.db")
    with open_store(tmp_path / "s.db") as store:
        assert store.get_samples(run_id) == []
        assert {s.name for s in store.get_scores(run_id)} == set(TASKS)


def test_a_file_that_is_not_lm_eval_results_is_refused_and_nothing_is_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "results.json"
    bad.write_text(json.dumps({"scores": {}}))
    assert main(["import", "lm-eval", str(bad), "--store", str(tmp_path / "s.db")]) == 2
    err = capsys.readouterr().err
    assert "no 'results' object" in err and err.count("\n") == 1
    assert not (tmp_path / "s.db").exists()


def test_samples_missing_for_a_task_are_refused_by_name(
    lm_eval_output: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    empty = tmp_path / "no_samples"
    empty.mkdir()
    results = _results_file(lm_eval_output)
    argv = ["import", "lm-eval", str(results), "--samples", str(empty)]
    assert main([*argv, "--store", str(tmp_path / "s.db")]) == 2
    assert "--log_samples" in capsys.readouterr().err
    assert not (tmp_path / "s.db").exists()


def test_a_key_in_model_args_never_reaches_the_store(lm_eval_output: Path, tmp_path: Path) -> None:
    written = json.loads(_results_file(lm_eval_output).read_text())
    written["config"]["model_args"] = "base_url=http://h:8000/v1,api_key=sk-SECRET1,model=m"
    results = tmp_path / "results_2026-01-01T00-00-00.json"
    results.write_text(json.dumps(written))
    run_id = _import(results, tmp_path / "s.db")
    with open_store(tmp_path / "s.db") as store:
        run = store.get_run(run_id)
    assert run.config["model_args"] == "base_url=http://h:8000/v1,api_key=<redacted>,model=m"
    for stored in tmp_path.glob("s.db*"):  # the database and any journal beside it
        assert b"sk-SECRET1" not in stored.read_bytes()
