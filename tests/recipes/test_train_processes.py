"""``harness train --processes 2`` on CPUs (gloo, under ``accelerate launch``) against one process.

Two processes with one example each per step must follow the loss curve of one process
with both examples per step (same global batch): the Trainer averages over the completion
tokens of both processes, so only the summation order of the all-reduce differs. Measured
on this tiny model the curves agree to about 1e-7 relative; the tests allow 1e-5. LoRA's
dropout is off here: each process draws its own masks, a valid but different random stream.
Each launch starts two Python processes, so the runs are kept to four steps.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import psutil
import pytest
from tiny_training import losses, train_tiny, wait_for_pause

from harness.errors import HarnessError
from harness.registry import find_variant, list_variants
from harness.store.pause import PAUSE_ENV

REPO = Path(__file__).resolve().parents[2]
TOLERANCE = 1e-5  # relative, per logged step
# Four DialogSum dialogues, a global batch of two: two epochs in four steps, so the second
# epoch's reshuffle must also agree between one process and two.
BASE = [
    "parent=tiny-random-llama",
    "data.limit=4",
    "data.max_length=160",
    "train.max_steps=4",
    "train.save_steps=2",
    "train.logging_steps=1",
    "train.warmup=0",
]

LORA = ["train.learning_rate=3e-2", "lora.dropout=0"]


def command(recipe: str, store: Path, *overrides: str, processes: int = 2) -> list[str]:
    """``harness train RECIPE --processes N`` with the tiny settings and ``overrides``."""
    settings = [arg for item in [*BASE, *overrides] for arg in ("--set", item)]
    return [
        sys.executable,
        "-m",
        "harness.cli.main",
        "train",
        recipe,
        "--profile",
        "quick",
        *settings,
        "--store",
        str(store),
        "--processes",
        str(processes),
    ]


def launch(recipe: str, store: Path, *overrides: str) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        command(recipe, store, *overrides),
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done


def kill_job(pid: int) -> None:
    """SIGKILL the launcher and every process under it, as a crash of the whole job would.

    Killing the launcher alone is not enough: torchrun starts each training process in a
    session of its own, so they would go on (and keep the variant's lease).
    """
    try:
        launcher = psutil.Process(pid)
        processes = [launcher, *launcher.children(recursive=True)]
    except psutil.NoSuchProcess:
        return
    for process in processes:
        with contextlib.suppress(psutil.NoSuchProcess):
            process.send_signal(signal.SIGKILL)
    psutil.wait_procs(processes, timeout=30)


def assert_same_curve(two: list[float], one: list[float]) -> None:
    assert len(two) == len(one) == 4
    for a, b in zip(two, one, strict=True):
        assert a == pytest.approx(b, rel=TOLERANCE)


def test_lora_on_two_processes_follows_one_process_with_the_same_global_batch(
    lab: Path,
) -> None:
    one = train_tiny("lora", lab, "name=lora-one", "train.batch_size=2", base=[*BASE, *LORA])
    done = launch("lora", lab, "name=lora-two", "train.batch_size=1", *LORA)

    two = find_variant(lab, "lora-two")
    assert two is not None
    assert_same_curve(losses(two), losses(one))
    assert losses(two)[-1] < losses(two)[0]
    assert two.details["batch"] == {
        "per_device": 1,
        "processes": 2,
        "grad_accum": 1,
        "effective": 2,
    }
    assert one.details["batch"]["effective"] == 2
    assert two.trainable_params == one.trainable_params
    # One report, from the main process; one variant, registered once.
    assert done.stdout.count("variant v-") == 1
    assert "batch   2 per step = 1 per device x 2 process(es)" in done.stdout
    names = [v.name for v in list_variants(lab)]
    assert sorted(names) == sorted(["tiny-random-llama", "lora-one", "lora-two"])


def test_a_killed_two_process_run_resumes_under_two_processes_only(lab: Path) -> None:
    one = train_tiny(
        "sft-full",
        lab,
        "name=full-one",
        "train.batch_size=2",
        base=[*BASE, "train.learning_rate=3e-3"],
    )
    overrides = ("name=full-two", "train.batch_size=1", "train.learning_rate=3e-3")
    point = "train-step:3"  # between the checkpoints after steps 2 and 4
    trainer = subprocess.Popen(
        command("sft-full", lab, *overrides),
        cwd=REPO,
        env={**os.environ, PAUSE_ENV: point},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    watchdog = threading.Timer(300.0, lambda: kill_job(trainer.pid))
    watchdog.start()
    try:
        wait_for_pause(trainer, point)
        # The store reaches the launched processes by environment, never on a command line
        # (a PostgreSQL URL may carry a password, and `ps` shows command lines to everyone).
        launched = psutil.Process(trainer.pid).children(recursive=True)
        assert len(launched) >= 3  # accelerate's launcher and two training processes
        assert all(str(lab) not in " ".join(p.cmdline()) for p in launched)
    finally:
        watchdog.cancel()
        kill_job(trainer.pid)
        trainer.wait()
    assert find_variant(lab, "full-two") is None  # nothing half-registered
    run = Path(os.environ["HARNESS_HOME"]) / "variants" / "full-two"
    assert (run / "checkpoints" / "checkpoint-2" / "trainer_state.json").is_file()

    with pytest.raises(HarnessError, match=r"written by 2 process\(es\), this run has 1"):
        train_tiny("sft-full", lab, *overrides, base=BASE)

    done = launch("sft-full", lab, *overrides)
    assert "resuming from" in done.stdout and "checkpoint-2" in done.stdout
    two = find_variant(lab, "full-two")
    assert two is not None
    assert two.details["steps"] == 4
    assert_same_curve(losses(two), losses(one))
    assert [v.name for v in list_variants(lab)].count("full-two") == 1
    assert two.details["batch"]["processes"] == 2
