"""A variant's working folder: ``harness_home()/variants/<name>/`` with its checkpoints.

Re-running the same command resumes from the last checkpoint there; a different config
under the same name is refused rather than resumed, since mixing the two would produce
weights that neither config describes. While one process trains a variant it holds the
variant's lease (:func:`training_lease`), so a second ``harness train`` of it is refused
instead of writing checkpoints into the same folder.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from harness.errors import HarnessError


@dataclass(frozen=True)
class RunDir:
    root: Path

    @property
    def checkpoints(self) -> Path:
        return self.root / "checkpoints"

    @property
    def wall_clock(self) -> Path:
        return self.root / "training_seconds.json"

    @property
    def recipe_file(self) -> Path:
        return self.root / "recipe.json"

    def last_checkpoint(self) -> str | None:
        """The newest ``checkpoint-N`` folder that finished writing, or None."""
        if not self.checkpoints.is_dir():
            return None
        done = [
            p
            for p in self.checkpoints.glob("checkpoint-*")
            if p.name.split("-")[-1].isdigit() and (p / "trainer_state.json").is_file()
        ]
        if not done:
            return None
        return str(max(done, key=lambda p: int(p.name.split("-")[-1])))

    def discard_checkpoints(self) -> None:
        """Free the disk once the final weights are saved (optimiser states are large)."""
        shutil.rmtree(self.checkpoints, ignore_errors=True)
        self.wall_clock.unlink(missing_ok=True)


def prepare_run_dir(
    name: str,
    recipe: str,
    config: dict[str, Any],
    config_hash: str,
    *,
    restart: bool,
    processes: int = 1,
) -> RunDir:
    """Create (or reopen, for a resume) the folder of variant ``name`` trained with ``config``
    by ``processes`` processes.

    A checkpoint resumes only under the world size that wrote it: the data order, the
    per-process RNG states and the effective batch all depend on it.
    """
    from harness.registry import variant_dir

    run = RunDir(variant_dir(name))
    if restart and run.root.exists():
        shutil.rmtree(run.root)
    if run.recipe_file.is_file():
        previous = json.loads(run.recipe_file.read_text())
        if previous.get("config_hash") != config_hash:
            raise HarnessError(
                f"{run.root} holds a {previous.get('recipe')} run with a different config; "
                "pick another name (--set name=NEW) or pass --restart to discard it"
            )
        before = int(previous.get("processes", 1))
        if before != processes and run.last_checkpoint() is not None:
            raise HarnessError(
                f"the checkpoints in {run.checkpoints} were written by {before} process(es), "
                f"this run has {processes}; resume with --processes {before} "
                "or pass --restart to discard them"
            )
    run.root.mkdir(parents=True, exist_ok=True)
    payload = {
        "recipe": recipe,
        "config_hash": config_hash,
        "config": config,
        "processes": processes,
    }
    run.recipe_file.write_text(json.dumps(payload, indent=2, sort_keys=True))
    return run


@contextmanager
def training_lease(name: str) -> Iterator[Path]:
    """Hold variant ``name`` for this process while the block trains it.

    An exclusive ``flock`` on ``variants/<name>.lease``: the kernel drops it when the
    process ends however it ends (SIGKILL included), so a killed run never leaves a lease
    that looks alive, and no heartbeat is needed. The file names the holder for the error.
    """
    from harness.registry import variant_dir

    root = variant_dir(name)
    root.parent.mkdir(parents=True, exist_ok=True)
    path = root.parent / f"{root.name}.lease"
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise HarnessError(
                f"variant '{name}' is being trained by {_holder(path)}; wait for it to finish "
                "(run the same command again afterwards to use or resume its result)"
            ) from None
        os.ftruncate(fd, 0)
        holder = {
            "host": socket.gethostname(),
            "pid": os.getpid(),
            "since": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        os.write(fd, json.dumps(holder).encode())
        yield path
    finally:
        os.close(fd)  # closing the descriptor releases the lock


def _holder(path: Path) -> str:
    try:
        holder = json.loads(path.read_text())
        return f"process {holder['pid']} on {holder['host']} (since {holder['since']})"
    except (OSError, ValueError, KeyError, TypeError):
        return "another process"
