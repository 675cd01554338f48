"""A model's tokenizer without its weights: what a served-model backend needs locally.

A server does the heavy inference, but token-id prompts (vLLM) and lm-eval's token windows
for rolling loglikelihoods need the served model's tokenizer here. Loading only the
tokenizer files keeps a 70B model's weights off this machine.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from harness.errors import HarnessError
from harness.models.gguf import ensure_converted
from harness.models.packaged import PACKAGED_MODELS, packaged_file


def load_tokenizer(spec: str) -> Any:
    """The tokenizer of a packaged model name, a ``.gguf`` file, a model folder or a Hub id."""
    from transformers import AutoTokenizer

    spec = spec.strip()
    if spec in PACKAGED_MODELS:
        folder = ensure_converted(packaged_file(PACKAGED_MODELS[spec]))
    elif spec.endswith(".gguf"):
        folder = ensure_converted(Path(spec).expanduser())
    else:
        folder = Path(spec).expanduser()
    source = str(folder) if folder.is_dir() else spec
    if not folder.is_dir() and "/" not in spec:
        raise HarnessError(
            f"tokenizer '{spec}' is neither a packaged model ({', '.join(PACKAGED_MODELS)}), "
            "a .gguf file, a folder nor a Hub id (org/name); pass the served model's tokenizer"
        )
    try:
        return AutoTokenizer.from_pretrained(source)
    except (OSError, ValueError) as exc:
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise HarnessError(
            f"cannot load the tokenizer '{spec}' ({first}); pass a folder with tokenizer files, "
            "a packaged model name or a reachable Hub id"
        ) from None
