"""Magnitude pruning: unstructured (zero the smallest weights) and structured (remove MLP
channels, so the model really shrinks).

Unstructured sparsity keeps every tensor's shape: it saves nothing on disk or in time
without sparse kernels, but shows how much of a model can be zeroed before scores fall.
Structured pruning drops whole intermediate channels of every MLP block (the rows of the
gate and up projections and the matching columns of the down projection), keeping the
same number in every layer so the result is an ordinary model with a smaller
``intermediate_size`` that ``save_pretrained``/``from_pretrained`` handle as usual.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import torch

from harness.errors import HarnessError

_KEEP_DENSE = ("lm_head",)  # tied to the embeddings in SmolLM2: pruning one prunes both


@dataclass(frozen=True)
class PruningReport:
    """What a pruning did, for the variant record."""

    method: str
    target: float  # requested sparsity (unstructured) or share of channels removed
    sparsity: float  # zeros among the prunable weights afterwards
    parameters_before: int
    parameters_after: int


def _prunable(model: torch.nn.Module) -> list[tuple[str, torch.nn.Linear]]:
    return [
        (name, module)
        for name, module in model.named_modules()
        if isinstance(module, torch.nn.Linear) and name.rsplit(".", 1)[-1] not in _KEEP_DENSE
    ]


def _check_fraction(value: float, what: str) -> None:
    if not 0.0 <= value < 1.0:
        raise HarnessError(f"{what} must be in [0, 1), got {value}")


def weight_sparsity(model: torch.nn.Module) -> float:
    """Share of exact zeros among the weights of the prunable Linear layers."""
    zeros = total = 0
    for _, module in _prunable(model):
        zeros += int((module.weight == 0).sum())
        total += module.weight.numel()
    return zeros / total if total else 0.0


def _parameter_count(model: torch.nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


@torch.no_grad()
def magnitude_prune(model: torch.nn.Module, sparsity: float) -> PruningReport:
    """Zero the ``sparsity`` share of smallest-magnitude weights in each prunable Linear
    layer (layer-wise, so no layer is emptied), in place."""
    _check_fraction(sparsity, "sparsity")
    layers = _prunable(model)
    if not layers:
        raise HarnessError("the model has no Linear layers to prune")
    before = _parameter_count(model)
    for _, module in layers:
        weight = module.weight
        k = round(sparsity * weight.numel())
        if k == 0:
            continue
        # Ties at the threshold are broken by position, so exactly k weights are zeroed.
        order = weight.abs().flatten().argsort(stable=True)
        weight.view(-1)[order[:k]] = 0.0
    return PruningReport(
        method="magnitude-unstructured",
        target=sparsity,
        sparsity=weight_sparsity(model),
        parameters_before=before,
        parameters_after=_parameter_count(model),
    )


@torch.no_grad()
def prune_mlp_channels(model: torch.nn.Module, remove_share: float) -> PruningReport:
    """Remove the ``remove_share`` least important intermediate channels of every gated MLP
    (Llama-style ``gate_proj``/``up_proj``/``down_proj``), in place.

    A channel's importance is the product of the L2 norms of its gate row, up row and down
    column: an upper bound on how much it can add to the block's output per unit input.
    """
    _check_fraction(remove_share, "the share of channels to remove")
    # Any: the blocks' projections are attributes torch's Module type does not declare.
    mlps: list[Any] = [m for m in model.modules() if _is_gated_mlp(m)]
    if not mlps:
        raise HarnessError(
            "structured pruning needs Llama-style MLP blocks (gate_proj, up_proj, down_proj)"
        )
    before = _parameter_count(model)
    width = mlps[0].gate_proj.out_features
    keep = width - round(remove_share * width)
    if keep < 1:
        raise HarnessError(f"removing {remove_share:.0%} of {width} channels leaves none")
    for mlp in mlps:
        importance = (
            mlp.gate_proj.weight.norm(dim=1)
            * mlp.up_proj.weight.norm(dim=1)
            * mlp.down_proj.weight.norm(dim=0)
        )
        kept = importance.topk(keep).indices.sort().values
        mlp.gate_proj = _rows(mlp.gate_proj, kept)
        mlp.up_proj = _rows(mlp.up_proj, kept)
        mlp.down_proj = _columns(mlp.down_proj, kept)
        if hasattr(mlp, "intermediate_size"):
            mlp.intermediate_size = keep
    config = getattr(model, "config", None)
    if config is not None and hasattr(config, "intermediate_size"):
        config.intermediate_size = keep
    return PruningReport(
        method="mlp-channels",
        target=remove_share,
        sparsity=weight_sparsity(model),
        parameters_before=before,
        parameters_after=_parameter_count(model),
    )


def _is_gated_mlp(module: torch.nn.Module) -> bool:
    return all(
        isinstance(getattr(module, name, None), torch.nn.Linear)
        for name in ("gate_proj", "up_proj", "down_proj")
    )


def _rows(layer: torch.nn.Linear, kept: torch.Tensor) -> torch.nn.Linear:
    new = torch.nn.Linear(
        layer.in_features, len(kept), bias=layer.bias is not None, dtype=layer.weight.dtype
    )
    new.weight.copy_(layer.weight[kept])
    if layer.bias is not None:
        new.bias.copy_(layer.bias[kept])
    return new


def _columns(layer: torch.nn.Linear, kept: torch.Tensor) -> torch.nn.Linear:
    new = torch.nn.Linear(
        len(kept), layer.out_features, bias=layer.bias is not None, dtype=layer.weight.dtype
    )
    new.weight.copy_(layer.weight[:, kept])
    if layer.bias is not None:
        new.bias.copy_(layer.bias)
    return new
