"""Where the harness keeps things, and what it uses when told nothing.

The cache home, the repository it runs from, the default results store and the default
model: every command, fixture and config reads its defaults from here, so they agree.
"""

from __future__ import annotations

import os
from pathlib import Path

DEFAULT_STORE = "reports/harness.db"
"""The results store a command uses without ``--store`` or ``$HARNESS_STORE``."""

STORE_ENV = "HARNESS_STORE"


def default_store() -> str:
    """``$HARNESS_STORE`` (a path or a database URL a team shares), else :data:`DEFAULT_STORE`.

    An environment variable rather than a flag in every command line, so a URL with a password
    stays out of shell history and process listings.
    """
    return os.environ.get(STORE_ENV) or DEFAULT_STORE


DEFAULT_MODEL = "smollm2-135m-instruct"
"""The model evaluated without ``--model``: the packaged SmolLM2, which works offline."""


def harness_home() -> Path:
    """The cache folder for converted models and tokenizers: ``$HARNESS_HOME`` or ``~/.cache/harness``."""
    return Path(os.environ.get("HARNESS_HOME") or Path.home() / ".cache" / "harness")


def repo_root() -> Path | None:
    """The source checkout this package runs from, when it runs from one (not from a wheel)."""
    candidate = Path(__file__).resolve().parent.parent
    if (candidate / "pyproject.toml").is_file() and (candidate / "harness").is_dir():
        return candidate
    return None
