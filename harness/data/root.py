"""Where benchmark data is read from: ``--data-dir``, ``$HARNESS_DATA_DIR``, ``../shared/data``.

When none of these exists, loaders fall back to the Hugging Face Hub via ``datasets``.
"""

from __future__ import annotations

import os
from pathlib import Path

from harness.errors import HarnessError
from harness.paths import repo_root

DATA_DIR_ENV = "HARNESS_DATA_DIR"


def resolve_data_root(data_dir: str | Path | None = None) -> Path | None:
    """The first data root that applies, or None when only the Hub is left.

    An explicitly named folder (flag or environment) must exist: a typo there should fail,
    not silently fall through to a download.
    """
    if data_dir is not None:
        return _existing(Path(data_dir).expanduser(), "--data-dir")
    from_env = os.environ.get(DATA_DIR_ENV)
    if from_env:
        return _existing(Path(from_env).expanduser(), f"${DATA_DIR_ENV}")
    repo = repo_root()
    for base in (repo, Path.cwd()):
        if base is not None:
            shared = base.parent / "shared" / "data"
            if shared.is_dir():
                return shared.resolve()
    return None


def _existing(path: Path, origin: str) -> Path:
    if not path.is_dir():
        raise HarnessError(
            f"data folder {path} (from {origin}) does not exist; pass an existing folder"
        )
    return path.resolve()
