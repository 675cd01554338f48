"""A parent's plain float weights and their size on disk: what the transform recipes
(``quantize``, ``prune``) and ``distill`` start from and report."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from harness.errors import HarnessError


def full_model(model: Any, parent_name: str) -> Any:
    """The parent as a plain float transformers model: a LoRA parent merged; a prompt-tuning
    or quantized parent refused (neither can be turned back into float weights)."""
    from harness.registry.weights import is_peft_model

    if getattr(model.config, "quantization_config", None) is not None:
        raise HarnessError(
            f"parent '{parent_name}' is already quantized; start from its float parent instead"
        )
    if not is_peft_model(model):
        return model
    if not hasattr(model, "merge_and_unload"):
        raise HarnessError(
            f"parent '{parent_name}' is a prompt-tuning adapter, which cannot be merged into "
            "the weights; start from its base model or a LoRA/full variant"
        )
    return model.merge_and_unload()


def weights_on_disk(folder: Path) -> int:
    """Bytes of the weight files (safetensors or bin) in a saved model folder."""
    return sum(f.stat().st_size for f in folder.iterdir() if f.suffix in (".safetensors", ".bin"))
