"""Facts about the code and machine that every run records."""

from __future__ import annotations

import subprocess

import harness
from harness.paths import repo_root


def harness_version() -> str:
    return harness.__version__


def git_commit() -> str | None:
    """The checkout's commit, with ``-dirty`` when tracked files differ from it; None outside git."""
    repo = repo_root()
    if repo is None:
        return None
    try:
        commit = subprocess.run(
            ["git", "-C", str(repo), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            timeout=5,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(repo), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            timeout=5,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return f"{commit}-dirty" if dirty else commit


def device_description(device: str) -> str:
    """``cpu`` or the accelerator's name, so timings can be compared like for like."""
    if device.startswith("cuda"):
        import torch

        return f"{device} ({torch.cuda.get_device_name(device)})"
    return device
