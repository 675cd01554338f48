"""End to end: `harness dashboard` serves the leaderboard, headless Chromium renders it."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from filled_store import FilledStore
from headless_chromium import Browser, chromium_binary

from harness.cli.main import main

pytestmark = pytest.mark.skipif(
    chromium_binary() is None,
    reason="Debian chromium is not installed (`make setup` installs it: apt-get install chromium)",
)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture()
def dashboard_url(filled_store: FilledStore, tmp_path: Path) -> Iterator[str]:
    with _dashboard(str(filled_store.path), tmp_path) as url:
        yield url


@contextmanager
def _dashboard(store: str, tmp_path: Path) -> Iterator[str]:
    """`harness dashboard` on a free port, in its own process group, always stopped."""
    port = _free_port()
    log = (tmp_path / "dashboard.log").open("w")
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "harness.cli.main",
            "dashboard",
            "--store",
            store,
            "--port",
            str(port),
            "--host",
            "127.0.0.1",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"dashboard did not start: {(tmp_path / 'dashboard.log').read_text()}")
            time.sleep(0.3)
        yield url
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
        log.close()


def test_the_leaderboard_renders_every_model_in_chromium(
    dashboard_url: str, tmp_path: Path
) -> None:
    names = ["tiny-base", "tiny-lora", "tiny-other"]
    profile = tmp_path / "profile"
    profile.mkdir()
    with Browser(profile) as browser:
        browser.goto(dashboard_url)
        text = browser.wait_for_text(["Leaderboard", *names, "win rate"])
        browser.screenshot(tmp_path / "leaderboard.png")
    assert "Leaderboard" in text
    for name in names:
        assert name in text
    assert (tmp_path / "leaderboard.png").stat().st_size > 10_000


def test_a_run_evaluated_into_postgresql_shows_on_the_dashboard_over_the_same_url(
    postgres_url: str, toy_suite: Path, tmp_path: Path
) -> None:
    data = str(toy_suite.parent.parent / "data")
    evaluate = ["eval", "--model", "tiny-random-llama", "--suite", str(toy_suite)]
    assert main([*evaluate, "--data-dir", data, "--store", postgres_url, "--no-progress"]) == 0
    profile = tmp_path / "profile"
    profile.mkdir()
    with _dashboard(postgres_url, tmp_path) as url, Browser(profile) as browser:
        browser.goto(url)
        text = browser.wait_for_text(["Leaderboard", "tiny-random-llam", "toy acc"])
    assert "tiny-random-llam" in text and "toy acc" in text  # the name may be cut to fit


def test_the_samples_page_shows_a_stored_react_trajectory_in_chromium(
    react_store: Path, tmp_path: Path
) -> None:
    from harness.store import GenerationOutputs, open_store

    with open_store(react_store) as store:
        (run,) = store.list_runs()
        (sample,) = store.get_samples(run.run_id, "react_boolq")
    assert isinstance(sample.outputs, GenerationOutputs) and sample.outputs.steps
    last = sample.outputs.steps[-1]
    profile = tmp_path / "profile"
    profile.mkdir()
    with _dashboard(str(react_store), tmp_path) as url, Browser(profile) as browser:
        browser.goto(f"{url}/samples")
        needles = ["Trajectory", "observation", last.observation[:40]]
        text = browser.wait_for_text(needles)
        browser.screenshot(tmp_path / "trajectory.png")
    for needle in needles:
        assert needle in text
