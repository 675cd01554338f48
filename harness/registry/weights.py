"""The weights hash and parameter counts a variant is registered with.

A full model is hashed exactly as :func:`harness.models.hashing.weights_hash` does, so a
variant's id matches the ``model_hash`` of the runs that evaluated it. A peft model is
hashed over its adapter weights only (what its folder holds), with the same per-tensor
scheme: name, dtype, shape and bytes, in name order.

A quantized tensor (torchao's ``Int8Tensor``: int8 data plus float scales) cannot be viewed
as bytes; it is hashed over the plain tensors it is made of (``name:qdata``,
``name:scale``, ...), which is exactly what its saved folder holds.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def state_hash(state: Mapping[str, Any]) -> str:
    """sha256 over named tensors, the scheme :func:`harness.models.hashing.state_hash` defines."""
    from harness.models.hashing import state_hash as tensors_hash

    return tensors_hash(state)


def is_peft_model(model: Any) -> bool:
    """Whether ``model`` is a peft wrapper (LoRA, prompt tuning, ...)."""
    return hasattr(model, "peft_config") and hasattr(model, "get_base_model")


def adapter_state(model: Any) -> dict[str, Any]:
    """The adapter tensors a peft model saves with ``save_pretrained``."""
    from peft import get_peft_model_state_dict

    return dict(get_peft_model_state_dict(model))


def hash_weights(model: Any) -> str:
    """The registry's weights hash: the adapter weights of a peft model, else all weights."""
    if is_peft_model(model):
        return state_hash(adapter_state(model))
    return state_hash(model.state_dict())


def count_parameters(model: Any) -> tuple[int, int]:
    """(total, trainable) parameters; tied weights are counted once, as ``parameters()`` does."""
    total = trainable = 0
    for parameter in model.parameters():
        total += parameter.numel()
        if parameter.requires_grad:
            trainable += parameter.numel()
    return total, trainable
