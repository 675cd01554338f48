"""Post-training int8 quantization of a model's Linear layers, with torchao.

Two methods, both per output channel (one scale per row of a weight):

- ``int8-weight-only``: weights stored as int8, activations stay float. On SmolLM2 the
  next-token distribution moves by a KL of ~0.005 nats and greedy tokens do not change
  on a test sentence, and CPU matmuls run faster than float32 ones.
- ``int8-dynamic``: activations are also quantized, per token, on the fly. Cheaper on
  hardware with int8 matmul units, but on SmolLM2 the KL is ~0.07 nats (activation
  outliers), so it is the second choice here.

The LM head is left in float: SmolLM2 ties it to the input embeddings, and quantizing it
would untie them (doubling their storage) for a layer whose errors reach every logit.
torch's own ``torch.ao.quantization.quantize_dynamic`` is deprecated in torch 2.13 and
quantizes activations per tensor (KL ~1 nat on SmolLM2), so it is not offered.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import torch

from harness.errors import HarnessError

QUANTIZATION_METHODS = ("int8-weight-only", "int8-dynamic")
_KEEP_FLOAT = ("lm_head",)


@dataclass(frozen=True)
class QuantizationReport:
    """What a quantization did, for the variant record."""

    method: str
    bits: int
    quantized_layers: int
    bytes_before: int
    bytes_after: int


def quantize_model(model: torch.nn.Module, method: str) -> QuantizationReport:
    """Quantize ``model``'s Linear layers (not the LM head) in place with ``method``."""
    if method not in QUANTIZATION_METHODS:
        raise HarnessError(
            f"unknown quantization method '{method}'; use one of {', '.join(QUANTIZATION_METHODS)}"
        )
    quantize_, config = _torchao_config(method)
    before = parameter_bytes(model)
    targets = [name for name, module in model.named_modules() if _is_target(module, name)]
    if not targets:
        raise HarnessError("the model has no Linear layers to quantize")
    quantize_(model, config, filter_fn=_is_target)
    return QuantizationReport(
        method=method,
        bits=8,
        quantized_layers=len(targets),
        bytes_before=before,
        bytes_after=parameter_bytes(model),
    )


def _is_target(module: torch.nn.Module, name: str) -> bool:
    return isinstance(module, torch.nn.Linear) and name.rsplit(".", 1)[-1] not in _KEEP_FLOAT


def _torchao_config(method: str) -> tuple[Any, Any]:
    """torchao's ``quantize_`` and the config for ``method``; torchao logs a failure to load
    each of its CUDA extensions on import, which is noise on a CPU machine."""
    logging.getLogger("torchao").setLevel(logging.ERROR)
    from torchao.quantization import (
        Int8DynamicActivationInt8WeightConfig,
        Int8WeightOnlyConfig,
        quantize_,
    )

    if method == "int8-weight-only":
        return quantize_, Int8WeightOnlyConfig()
    return quantize_, Int8DynamicActivationInt8WeightConfig()


def parameter_bytes(model: torch.nn.Module) -> int:
    """Bytes the model's parameters and buffers hold in memory, counting the int8 data and
    scales inside quantized tensors (tied weights once)."""
    seen: set[int] = set()
    total = 0
    for tensor in [*model.parameters(), *model.buffers()]:
        if id(tensor) in seen:
            continue
        seen.add(id(tensor))
        total += _tensor_bytes(tensor)
    return total


def _tensor_bytes(tensor: torch.Tensor) -> int:
    flatten = getattr(type(tensor), "__tensor_flatten__", None)
    if flatten is not None and type(tensor) not in (torch.Tensor, torch.nn.Parameter):
        names, _ = tensor.__tensor_flatten__()  # type: ignore[attr-defined]
        return sum(_tensor_bytes(getattr(tensor, name)) for name in names)
    return tensor.numel() * tensor.element_size()
