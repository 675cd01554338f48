"""Resume: a complete run is left byte-identical, mismatches are refused naming the task,
attempts add up, the data path may move, a live holder is respected, SIGTERM stops cleanly."""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from toy_suite import toy_options

from harness.errors import HarnessError
from harness.runner import run_eval
from harness.runner.lease import RunStopped
from harness.runner.resume import ResumeRefused
from harness.store import open_store

TABLES = ("runs", "task_results", "scores", "samples", "run_attempts")


def _dump(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    with closing(sqlite3.connect(path)) as conn, conn:
        return {t: conn.execute(f"SELECT * FROM {t} ORDER BY 1, 2").fetchall() for t in TABLES}


def _failed_after_first_task(suite: Path, store: Path, model: Any) -> str:
    """A run that finished toy_mc and failed in toy_gen (the generation call raised)."""
    from harness.backends.hf import HFBackend

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("backend went away")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(HFBackend, "generate_stream", broken)
        with pytest.raises(RuntimeError):
            run_eval(toy_options(suite, store), model=model)
    with open_store(store) as opened:
        (run,) = opened.list_runs()
    return run.run_id


def test_resuming_a_complete_run_changes_no_byte(
    toy_suite: Path, tmp_path: Path, tiny_model
) -> None:  # type: ignore[no-untyped-def]
    store = tmp_path / "s.db"
    report = run_eval(toy_options(toy_suite, store), model=tiny_model)
    before = _dump(store)
    lines: list[str] = []
    again = run_eval(
        toy_options(toy_suite, store, resume=report.run_id), model=tiny_model, log=lines.append
    )
    assert lines == [f"run {report.run_id} is already complete; nothing to resume, nothing changed"]
    assert again.run_id == report.run_id
    assert _dump(store) == before


def test_a_complete_run_left_failed_by_the_old_resume_bug_completes_again(
    toy_suite: Path, tmp_path: Path, tiny_model
) -> None:  # type: ignore[no-untyped-def]
    store = tmp_path / "s.db"
    report = run_eval(toy_options(toy_suite, store), model=tiny_model)
    with (
        closing(sqlite3.connect(store)) as conn,
        conn,
    ):  # what the bug left: aggregates stored, status failed
        conn.execute("UPDATE runs SET status = 'failed', error = 'IntegrityError'")
    aggregates = _dump(store)["scores"]
    run_eval(toy_options(toy_suite, store, resume=report.run_id), model=tiny_model)
    with open_store(store) as opened:
        assert opened.get_run(report.run_id).status == "complete"
    values = lambda rows: sorted(r[1:] for r in rows)  # noqa: E731 - ids differ, values not
    assert values(_dump(store)["scores"]) == values(aggregates)


def test_wall_time_and_tokens_add_up_over_attempts(
    toy_suite: Path, tmp_path: Path, tiny_model
) -> None:  # type: ignore[no-untyped-def]
    store = tmp_path / "s.db"
    run_id = _failed_after_first_task(toy_suite, store, tiny_model)
    run_eval(toy_options(toy_suite, store, resume=run_id), model=tiny_model)
    with open_store(store) as opened:
        run = opened.get_run(run_id)
        attempts = opened.get_attempts(run_id)
    assert [a.status for a in attempts] == ["failed", "complete"]
    assert attempts[0].tokens_processed and attempts[1].tokens_processed
    assert run.tokens_processed == sum(a.tokens_processed or 0 for a in attempts)
    assert run.wall_time_s == pytest.approx(sum(a.wall_time_s or 0.0 for a in attempts))


def test_a_resume_from_a_moved_data_folder_is_accepted(
    toy_suite: Path, tmp_path: Path, tiny_model
) -> None:  # type: ignore[no-untyped-def]
    store = tmp_path / "s.db"
    run_id = _failed_after_first_task(toy_suite, store, tiny_model)
    moved = tmp_path / "moved" / "data"
    shutil.copytree(toy_suite.parent.parent / "data", moved)
    run_eval(toy_options(toy_suite, store, resume=run_id, data_dir=str(moved)), model=tiny_model)
    with open_store(store) as opened:
        assert opened.get_run(run_id).status == "complete"


def test_a_resume_on_changed_data_is_refused_naming_the_task(
    toy_suite: Path, tmp_path: Path, tiny_model
) -> None:  # type: ignore[no-untyped-def]
    store = tmp_path / "s.db"
    run_id = _failed_after_first_task(toy_suite, store, tiny_model)
    data = toy_suite.parent.parent / "data" / "toy" / "test.jsonl"
    data.write_text(data.read_text().replace("The sky is", "The sea is"))
    before = _dump(store)
    with pytest.raises(ResumeRefused, match=r"finished task 'toy_mc' was evaluated on other data"):
        run_eval(toy_options(toy_suite, store, resume=run_id), model=tiny_model)
    assert _dump(store) == before


def test_a_resume_with_a_changed_task_definition_is_refused(
    toy_suite: Path, tmp_path: Path, tiny_model
) -> None:  # type: ignore[no-untyped-def]
    store = tmp_path / "s.db"
    run_id = _failed_after_first_task(toy_suite, store, tiny_model)
    task = toy_suite.parent / "tasks" / "toy_mc.yaml"
    task.write_text(task.read_text().replace("Q: ", "Question: "))
    with pytest.raises(ResumeRefused, match=r"'toy_mc' was evaluated with another task definition"):
        run_eval(toy_options(toy_suite, store, resume=run_id), model=tiny_model)


def test_a_resume_by_another_harness_version_is_refused(
    toy_suite: Path, tmp_path: Path, tiny_model, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    import harness

    store = tmp_path / "s.db"
    run_id = _failed_after_first_task(toy_suite, store, tiny_model)
    monkeypatch.setattr(harness, "__version__", "99.0.0")
    with pytest.raises(ResumeRefused, match=r"'toy_mc' was evaluated by harness .*this is 99.0.0"):
        run_eval(toy_options(toy_suite, store, resume=run_id), model=tiny_model)


def test_a_run_held_by_a_live_process_is_not_taken_over(
    toy_suite: Path, tmp_path: Path, tiny_model
) -> None:  # type: ignore[no-untyped-def]
    store = tmp_path / "s.db"
    run_id = _failed_after_first_task(toy_suite, store, tiny_model)
    with closing(sqlite3.connect(store)) as conn, conn:  # this very process holds it, beating now
        conn.execute(
            "UPDATE runs SET status = 'running', lease_token = 'x', lease_pid = ?,"
            " lease_host = ?, heartbeat_at = ?",
            (os.getpid(), os.uname().nodename, _now()),
        )
    before = _dump(store)
    with pytest.raises(HarnessError, match=rf"run {run_id} is running in process {os.getpid()}"):
        run_eval(toy_options(toy_suite, store, resume=run_id), model=tiny_model)
    assert _dump(store) == before


def test_sigterm_ends_the_run_as_failed_after_the_current_task(
    toy_suite: Path, tmp_path: Path, tiny_model
) -> None:  # type: ignore[no-untyped-def]
    from harness.backends.hf import HFBackend

    store = tmp_path / "s.db"
    original = HFBackend.score_stream  # the runner's stream of scoring requests
    before = signal.getsignal(signal.SIGTERM)

    def terminated_midway(self: HFBackend, *args: Any, **kwargs: Any) -> Any:
        os.kill(os.getpid(), signal.SIGTERM)  # arrives while toy_mc is being answered
        return original(self, *args, **kwargs)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(HFBackend, "score_stream", terminated_midway)
        with pytest.raises(RunStopped, match="stopped by SIGTERM before task 'toy_gen'") as stopped:
            run_eval(toy_options(toy_suite, store), model=tiny_model)
    assert stopped.value.exit_code == 128 + signal.SIGTERM
    assert signal.getsignal(signal.SIGTERM) == before
    with open_store(store) as opened:
        (run,) = opened.list_runs()
        assert run.status == "failed"
        assert opened.completed_tasks(run.run_id) == {"toy_mc"}


def _now() -> str:
    from datetime import UTC, datetime

    return datetime.now(UTC).isoformat(timespec="microseconds")
