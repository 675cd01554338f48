"""Content hashes of weights and files: identity is by content, never by name."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import torch


def file_sha256(path: Path, chunk_size: int = 1 << 20) -> str:
    """sha256 of a file's bytes, read in chunks so large weight files do not fill memory."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(chunk_size):
            digest.update(chunk)
    return digest.hexdigest()


def weights_hash(model: torch.nn.Module) -> str:
    """sha256 over every parameter and buffer (name, dtype, shape, bytes), in name order.

    Hashing the tensors rather than files makes the hash independent of how the weights
    were stored (GGUF, safetensors shards, built in memory).
    """
    return state_hash(model.state_dict())


def state_hash(state: Mapping[str, Any]) -> str:
    """sha256 over named tensors (name, dtype, shape, bytes) in name order.

    A quantized tensor (torchao's ``Int8Tensor``: int8 data plus float scales) cannot be
    viewed as bytes; it is hashed over the plain tensors it is made of (``name:qdata``,
    ``name:scale``, ...), which is exactly what its saved folder holds.
    """
    digest = hashlib.sha256()
    for name in sorted(state):
        for part, tensor in _plain_parts(name, state[name].detach()):
            tensor = tensor.to("cpu").contiguous()
            digest.update(part.encode())
            digest.update(str(tensor.dtype).encode())
            digest.update(str(tuple(tensor.shape)).encode())
            digest.update(tensor.view(torch.uint8).numpy().tobytes() if tensor.numel() else b"")
    return digest.hexdigest()


def _plain_parts(name: str, tensor: Any) -> list[tuple[str, Any]]:
    """``[(name, tensor)]`` for a plain tensor; a tensor subclass's inner tensors, named
    ``name:inner``, since its own bytes are not addressable."""
    if type(tensor) in (torch.Tensor, torch.nn.Parameter) or not hasattr(
        tensor, "__tensor_flatten__"
    ):
        return [(name, tensor)]
    inner, _ = tensor.__tensor_flatten__()
    parts: list[tuple[str, Any]] = []
    for attribute in inner:
        parts.extend(_plain_parts(f"{name}:{attribute}", getattr(tensor, attribute)))
    return parts
