"""Where the harness keeps things: its cache home and the repository it runs from."""

from __future__ import annotations

import os
from pathlib import Path


def harness_home() -> Path:
    """The cache folder for converted models and tokenizers: ``$HARNESS_HOME`` or ``~/.cache/harness``."""
    return Path(os.environ.get("HARNESS_HOME") or Path.home() / ".cache" / "harness")


def repo_root() -> Path | None:
    """The source checkout this package runs from, when it runs from one (not from a wheel)."""
    candidate = Path(__file__).resolve().parent.parent
    if (candidate / "pyproject.toml").is_file() and (candidate / "harness").is_dir():
        return candidate
    return None
