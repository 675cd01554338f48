"""Training killed with SIGKILL mid-run resumes to the uninterrupted weights and loss curve,
and while one process trains a variant a second ``harness train`` of it is refused.

The kill lands right after a seeded optimiser step between two checkpoints, reached with
the test-only ``HARNESS_TEST_PAUSE_AT=train-step:N`` hook (:mod:`harness.store.pause`).
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from tiny_training import TINY_SFT, losses, train_tiny, wait_for_pause

from harness.errors import HarnessError
from harness.registry import list_variants
from harness.store.pause import PAUSE_ENV

REPO = Path(__file__).resolve().parents[2]
SEED = 5


def test_a_sigkilled_training_resumes_to_the_same_weights_and_curve(
    lab: Path, tmp_path: Path
) -> None:
    uninterrupted = train_tiny("sft-full", tmp_path / "whole.db", "name=tiny-whole")

    # Any of the four steps (checkpoints land after steps 2 and 4); seed 5 draws step 3, so the
    # resume starts from checkpoint 2 and redoes a step the killed run had already taken.
    step = random.Random(SEED).choice([1, 2, 3, 4])
    point = f"train-step:{step}"
    overrides = ["--profile", "quick"]
    overrides += [arg for o in [*TINY_SFT, "name=tiny-killed"] for arg in ("--set", o)]
    trainer = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "harness.cli.main",
            "train",
            "sft-full",
            *overrides,
            "--store",
            str(lab),
        ],
        cwd=REPO,
        env={**os.environ, PAUSE_ENV: point},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    watchdog = threading.Timer(120.0, trainer.kill)  # a step never reached fails, not hangs
    watchdog.start()
    try:
        wait_for_pause(trainer, point)
        with pytest.raises(
            HarnessError, match=rf"'tiny-killed' is being trained by process {trainer.pid}"
        ):
            train_tiny("sft-full", lab, "name=tiny-killed")
    finally:
        watchdog.cancel()
        trainer.send_signal(signal.SIGKILL)
        trainer.wait()
    assert all(v.name != "tiny-killed" for v in list_variants(lab))  # nothing half-registered

    resumed = train_tiny("sft-full", lab, "name=tiny-killed")
    assert resumed.details["steps"] == uninterrupted.details["steps"]
    assert resumed.weights_hash == uninterrupted.weights_hash
    assert losses(resumed) == losses(uninterrupted)
