"""Kill anywhere, resume, same answer: ``harness eval`` SIGKILLed at seeded random moments
(between tasks, mid-task, inside a task's commit, inside the aggregate write) and resumed
each time ends with exactly the samples and scores of an uninterrupted run.

The moments are reached with the test-only ``HARNESS_TEST_PAUSE_AT`` hook
(:mod:`harness.store.pause`): the process says where it paused and the test kills it there.
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from toy_suite import FOUR_TASKS, add_second_tasks

from harness.cli.main import main
from harness.runner import EvalOptions, run_eval
from harness.store import open_store
from harness.store.liveness import run_state
from harness.store.pause import PAUSE_ENV

REPO = Path(__file__).resolve().parents[2]
TASKS = FOUR_TASKS
DEADLINE_S = 120.0
SEEDS = (2, 7)  # a kill while answering a task, and one inside a commit


@pytest.fixture()
def four_task_suite(toy_suite: Path) -> Path:
    """The toy suite with a second multiple-choice and a second generation task."""
    return add_second_tasks(toy_suite)


def _command(suite: Path, store: Path, resume: str | None = None) -> list[str]:
    data = suite.parent.parent / "data"
    args = ["eval", "--model", "tiny-random-llama", "--suite", str(suite), "--data-dir", str(data)]
    args += ["--store", str(store), "--no-progress"]
    return args + (["--resume", resume] if resume else [])


def _kill_at(point: str, args: list[str]) -> None:
    """Start ``harness`` with ``args``, wait until it pauses at ``point``, SIGKILL it."""
    env = {**os.environ, PAUSE_ENV: point}
    process = subprocess.Popen(
        [sys.executable, "-m", "harness.cli.main", *args],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stderr is not None
    watchdog = threading.Timer(DEADLINE_S, process.kill)  # a point never reached fails, not hangs
    watchdog.start()
    seen = []
    for line in process.stderr:
        seen.append(line)
        if f"harness-test: paused at {point}" in line:
            break
    watchdog.cancel()
    process.send_signal(signal.SIGKILL)
    process.wait()  # reaped: its pid is gone, so the run reads as stale
    assert process.returncode == -signal.SIGKILL, "".join(seen)


def _rows(store: Path, run_id: str) -> dict[str, list[tuple[Any, ...]]]:
    """Samples, scores and task results of a run without run ids, timings or row ids."""
    with closing(sqlite3.connect(store)) as conn, conn:
        samples = conn.execute(
            "SELECT task, doc_id, doc_hash, prompt_hash, target, prediction, outputs, metrics"
            " FROM samples WHERE run_id = ? ORDER BY task, doc_id",
            (run_id,),
        ).fetchall()
        scores = conn.execute(
            "SELECT scope, name, metric, value, stderr, ci_low, ci_high, n, higher_is_better,"
            " extra FROM scores WHERE run_id = ? ORDER BY scope, name, metric",
            (run_id,),
        ).fetchall()
        tasks = conn.execute(
            "SELECT task, task_hash, data_hash, n_items FROM task_results WHERE run_id = ?"
            " ORDER BY task",
            (run_id,),
        ).fetchall()
    return {"samples": samples, "scores": scores, "tasks": tasks}


def _schedule(seed: int) -> list[str]:
    """Three kill points in run order, drawn by ``seed``: one between tasks, one inside a
    task (answering or committing), one inside the aggregate write."""
    rng = random.Random(seed)
    first = rng.randrange(1, len(TASKS) - 1)
    inside = rng.randrange(first, len(TASKS))
    moment = rng.choice(["task", "commit"])
    return [f"start:{TASKS[first]}", f"{moment}:{TASKS[inside]}", "complete"]


@pytest.mark.parametrize("seed", SEEDS)
def test_an_eval_killed_anywhere_resumes_to_the_uninterrupted_result(
    four_task_suite: Path,
    tmp_path: Path,
    tiny_model: Any,
    seed: int,
    capsys: pytest.CaptureFixture[str],
) -> None:
    suite = four_task_suite
    reference = tmp_path / "reference.db"
    whole = run_eval(
        EvalOptions(
            model="tiny-random-llama",
            suite=str(suite),
            data_dir=str(suite.parent.parent / "data"),
            store=reference,
            progress=False,
        ),
        model=tiny_model,
    )
    store = tmp_path / "killed.db"
    run_id: str | None = None
    for number, point in enumerate(_schedule(seed), start=1):
        _kill_at(point, _command(suite, store, run_id))
        with open_store(store) as opened:
            (run,) = opened.list_runs()
            run_id = run.run_id
            assert run_state(opened.get_lease(run_id)) == "stale", point
            assert len(opened.get_attempts(run_id)) == number
    capsys.readouterr()
    (row,) = [line for line in _listed(capsys, store).splitlines() if line.startswith(run_id)]
    assert " stale " in row  # `harness runs` shows the killed run for what it is

    assert main(_command(suite, store, run_id)) == 0
    capsys.readouterr()
    assert _rows(store, run_id) == _rows(reference, whole.run_id)
    with open_store(store) as opened:
        run = opened.get_run(run_id)
        attempts = opened.get_attempts(run_id)
    assert run.status == "complete"
    assert [a.status for a in attempts] == ["failed", "failed", "failed", "complete"]
    assert run.tokens_processed == sum(a.tokens_processed or 0 for a in attempts)

    before = _dump(store)  # resuming the complete run: exit 0, not a byte changed
    assert main(_command(suite, store, run_id)) == 0
    assert "already complete" in capsys.readouterr().err
    assert _dump(store) == before


def _listed(capsys: pytest.CaptureFixture[str], store: Path) -> str:
    assert main(["runs", "--store", str(store)]) == 0
    return capsys.readouterr().out


def _dump(store: Path) -> list[str]:
    with closing(sqlite3.connect(store)) as conn, conn:
        return list(conn.iterdump())


def test_a_second_resume_of_a_live_run_is_refused_and_marks_nothing(
    toy_suite: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = tmp_path / "s.db"
    env = {**os.environ, PAUSE_ENV: "start:toy_gen"}
    holder = subprocess.Popen(
        [sys.executable, "-m", "harness.cli.main", *_command(toy_suite, store)],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    watchdog = threading.Timer(DEADLINE_S, holder.kill)
    watchdog.start()
    try:
        assert holder.stderr is not None
        for line in holder.stderr:
            if "paused at start:toy_gen" in line:
                break
        with open_store(store) as opened:
            (run,) = opened.list_runs()
        capsys.readouterr()
        assert main(_command(toy_suite, store, run.run_id)) == 2
        error = capsys.readouterr().err.strip()
        assert error.startswith(
            f"harness: error: run {run.run_id} is running in process {holder.pid}"
        )
        assert "\n" not in error
        with open_store(store) as opened:
            assert opened.get_run(run.run_id).status == "running"
            assert run_state(opened.get_lease(run.run_id)) == "running"
    finally:
        watchdog.cancel()
        holder.kill()
        holder.wait()
