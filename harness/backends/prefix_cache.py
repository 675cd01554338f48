"""The keys and values of a shared token prefix, computed once and lent to whole batches.

Rows that start with the same prefix run only their own tokens, at positions that continue
the prefix's, attending to the prefix's cached keys and values. The cache is computed for
one row and expanded (a view, no copy) to the batch; attention concatenates it with the
batch's own keys in each layer, exactly as a longer forward pass would have.

Only caches made of plain full-attention layers are lent: a sliding-window or recurrent
layer keeps state that does not split this way, and such models run every row whole.
"""

from __future__ import annotations

from typing import Any

import torch
from transformers import DynamicCache
from transformers.cache_utils import Cache, DynamicLayer


class SharedPrefix:
    """A prefix's tokens and, per layer, its keys and values for one row."""

    def __init__(self, tokens: list[int], layers: list[tuple[torch.Tensor, torch.Tensor]]) -> None:
        self.tokens = tokens
        self.layers = layers

    @property
    def length(self) -> int:
        return len(self.tokens)

    def for_scoring(self, batch_size: int) -> Cache:
        """A cache for one forward pass of ``batch_size`` rows that leaves the prefix untouched."""
        return Cache(layers=[_LentPrefixLayer(k, v, batch_size) for k, v in self.layers])

    def for_generation(self, batch_size: int) -> DynamicCache:
        """A cache that grows as ``batch_size`` rows generate; the prefix itself is not copied
        until the first step appends to it."""
        cache = DynamicCache()
        cache.layers = [_expanded_layer(DynamicLayer(), k, v, batch_size) for k, v in self.layers]
        return cache


@torch.inference_mode()
def compute_prefix(model: Any, tokens: list[int]) -> SharedPrefix | None:
    """Run ``tokens`` once and keep their keys and values, or None when the model's cache
    is not made of plain full-attention layers."""
    cache = DynamicCache(config=model.config)
    if any(type(layer) is not DynamicLayer for layer in cache.layers):
        return None
    ids = torch.tensor([tokens], dtype=torch.long, device=model.device)
    model(input_ids=ids, past_key_values=cache, use_cache=True, logits_to_keep=1)
    layers: list[tuple[torch.Tensor, torch.Tensor]] = []
    for layer in cache.layers:
        if not isinstance(layer, DynamicLayer) or layer.get_seq_length() != len(tokens):
            return None
        assert layer.keys is not None and layer.values is not None
        layers.append((layer.keys, layer.values))
    return SharedPrefix(tokens, layers) if layers else None


class _LentPrefixLayer(DynamicLayer):
    """A layer that prepends the prefix to each new key/value and forgets the result, so the
    prefix serves batch after batch and no cache outlives its layer's attention."""

    def __init__(self, keys: torch.Tensor, values: torch.Tensor, batch_size: int) -> None:
        super().__init__()
        _expanded_layer(self, keys, values, batch_size)

    def update(
        self, key_states: torch.Tensor, value_states: torch.Tensor, *args: Any, **kwargs: Any
    ) -> tuple[torch.Tensor, torch.Tensor]:
        assert self.keys is not None and self.values is not None
        return (
            torch.cat([self.keys, key_states], dim=-2),
            torch.cat([self.values, value_states], dim=-2),
        )


def _expanded_layer(
    layer: DynamicLayer, keys: torch.Tensor, values: torch.Tensor, batch_size: int
) -> DynamicLayer:
    layer.lazy_initialization(keys, values)
    layer.keys = keys.expand(batch_size, -1, -1, -1)
    layer.values = values.expand(batch_size, -1, -1, -1)
    return layer
