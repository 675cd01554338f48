"""The scoring tasks of a run go through one stream and its generation tasks through another:
the numbers and texts of the task-by-task path, each task committed as soon as its answers
are in, the progress bar naming committed tasks."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from toy_suite import FOUR_TASKS, add_second_tasks, toy_options

from harness.runner import run_eval
from harness.store import MultipleChoiceOutputs, open_store

SCORED = ("toy_mc", "toy_mc_b")
GENERATED = ("toy_gen", "toy_gen_b")


def _samples(store: Path, run_id: str, task: str) -> list[Any]:
    with open_store(store) as opened:
        return opened.get_samples(run_id, task)


def _task_scores(store: Path, run_id: str, task: str) -> list[tuple[str, float]]:
    with open_store(store) as opened:
        return [(s.metric, s.value) for s in opened.get_scores(run_id, "task") if s.name == task]


def test_a_streamed_run_scores_as_each_task_run_alone(
    toy_suite: Path, tmp_path: Path, tiny_model: Any
) -> None:
    suite = add_second_tasks(toy_suite)
    store = tmp_path / "s.db"
    whole = run_eval(toy_options(suite, store, shots=1), model=tiny_model)
    for task in FOUR_TASKS:  # a run of one task: one backend call, the task-by-task path
        alone = run_eval(toy_options(suite, store, shots=1, tasks=[task]), model=tiny_model)
        streamed, single = _samples(store, whole.run_id, task), _samples(store, alone.run_id, task)
        assert [(s.doc_id, s.prediction, s.metrics) for s in streamed] == [
            (s.doc_id, s.prediction, s.metrics) for s in single
        ]
        for a, b in zip(streamed, single, strict=True):
            if task in GENERATED:  # the generated texts themselves
                assert a.outputs == b.outputs
                continue
            assert isinstance(a.outputs, MultipleChoiceOutputs)
            assert isinstance(b.outputs, MultipleChoiceOutputs)
            assert a.outputs.logprobs == pytest.approx(b.outputs.logprobs, abs=1e-5)
            assert a.outputs.is_greedy == b.outputs.is_greedy
        assert _task_scores(store, whole.run_id, task) == _task_scores(store, alone.run_id, task)


def test_each_streamed_task_commits_when_its_answers_are_in(
    toy_suite: Path, tmp_path: Path, tiny_model: Any
) -> None:
    suite = add_second_tasks(toy_suite)
    store = tmp_path / "s.db"
    # One row per forward pass: the two tasks finish in different batches.
    report = run_eval(toy_options(suite, store, batch_size=1), model=tiny_model)
    with open_store(store) as opened:
        results = {r.task: r for r in opened.get_task_results(report.run_id)}
        run = opened.get_run(report.run_id)
    # A task's tokens are those run since the previous commit: had both waited for the end
    # of the stream, the second would show none.
    assert all(results[task].tokens_processed for task in SCORED + GENERATED)
    assert sum(r.tokens_processed or 0 for r in results.values()) == run.tokens_processed


def test_the_progress_bar_names_the_committed_tasks(
    toy_suite: Path, tmp_path: Path, tiny_model: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    suite = add_second_tasks(toy_suite)
    run_eval(toy_options(suite, tmp_path / "s.db", progress=True), model=tiny_model)
    err = capsys.readouterr().err
    assert err.count("2 tasks in one stream") >= 2  # the scoring stream, then the generation one
    assert "2/2 tasks committed (last toy_mc_b)" in err
    assert "2/2 tasks committed (last toy_gen_b)" in err
