"""kill -9 of a served run, then ``--resume``: no answered request is sent again.

``harness eval --backend openai`` runs as a real process against a loopback server that
answers slowly; it is SIGKILLed once some answers are kept, resumed, and the requests the
server saw are counted. Only the requests whose answers were not kept yet go out again,
and the finished run equals an uninterrupted one.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from loopback_server import ScriptedServer, toy_answer
from toy_suite import write_toy_suite

from harness.backends.openai_backend import FINGERPRINT_PROMPTS, PROBE_TEXT
from harness.store import open_store

QUESTIONS = [(f"Question {i} is", ["yes", "no"], i % 2) for i in range(24)]
N_REQUESTS = 2 * len(QUESTIONS) + 2  # two choices per question, two generation prompts


def _slow(path: str, payload: dict[str, Any]) -> dict[str, Any]:
    time.sleep(0.05)
    return toy_answer(path, payload)


@pytest.fixture()
def server() -> Iterator[ScriptedServer]:
    scripted = ScriptedServer(_slow)
    yield scripted
    scripted.close()


def _task_requests(server: ScriptedServer) -> list[str]:
    """Prompts of the completion requests the tasks sent (not the calibration or identity probes)."""
    probes = {PROBE_TEXT, *FINGERPRINT_PROMPTS}
    prompts = []
    for path, _, payload in server.requests:
        prompt = str(payload.get("prompt", ""))
        if path.endswith("/completions") and not any(p in prompt for p in probes):
            prompts.append(prompt)
    return prompts


def _settled_count(server: ScriptedServer) -> int:
    """The task requests seen once no more arrive: one sent just before the kill may still
    be in the server's hands when the process is gone."""
    count, stable_since = len(_task_requests(server)), time.monotonic()
    while time.monotonic() - stable_since < 0.5:
        time.sleep(0.05)
        now = len(_task_requests(server))
        if now != count:
            count, stable_since = now, time.monotonic()
    return count


def _eval(suite: Path, store: Path, url: str, *extra: str) -> subprocess.Popen[str]:
    argv = [sys.executable, "-m", "harness.cli.main", "eval", "--backend", "openai"]
    argv += ["--base-url", url, "--model", "toy", "--suite", str(suite), "--concurrency", "1"]
    argv += [
        "--data-dir",
        str(suite.parent.parent / "data"),
        "--store",
        str(store),
        "--no-progress",
    ]
    return subprocess.Popen(
        [*argv, *extra], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def _kept(store: Path) -> int:
    # Closed at once: a connection left open in this process would have its locks dropped
    # when open_store reads the file's header, and the resumed run could then checkpoint
    # the WAL away under it.
    with closing(sqlite3.connect(store)) as db:
        return int(db.execute("SELECT COUNT(*) FROM answers").fetchone()[0])


def _results(store: Path, run_id: str) -> list[tuple[str, int, str, str]]:
    with open_store(store) as db:
        return [
            (s.task, s.doc_id, s.prediction, s.outputs.model_dump_json())
            for s in db.get_samples(run_id)
        ]


def test_a_killed_served_run_resumes_without_resending_answered_requests(
    tmp_path: Path, server: ScriptedServer
) -> None:
    suite = write_toy_suite(tmp_path / "toy", questions=QUESTIONS)
    store = tmp_path / "s.db"
    first = _eval(suite, store, server.url)
    deadline = time.monotonic() + 120
    while len(_task_requests(server)) < 20:  # a few chunks of 4 answered and kept
        assert first.poll() is None, first.communicate()[1]
        assert time.monotonic() < deadline, "the served run never got going"
        time.sleep(0.05)
    os.kill(first.pid, signal.SIGKILL)
    first.wait()
    sent_before = _settled_count(server)
    kept = _kept(store)
    assert 8 <= kept <= sent_before < N_REQUESTS

    with open_store(store) as db:
        (run,) = db.list_runs()
    resumed = _eval(suite, store, server.url, "--resume", run.run_id)
    _, err = resumed.communicate(timeout=300)
    assert resumed.returncode == 0, err
    sent_after = _task_requests(server)[sent_before:]
    assert len(sent_after) == N_REQUESTS - kept  # nothing kept was asked for again
    assert _kept(store) == N_REQUESTS

    clean_store = tmp_path / "clean.db"
    clean = _eval(suite, clean_store, server.url)
    assert clean.wait(timeout=300) == 0
    with open_store(clean_store) as db:
        (clean_run,) = db.list_runs()
    assert _results(store, run.run_id) == _results(clean_store, clean_run.run_id)
