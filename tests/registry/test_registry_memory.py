"""``harness memory --model VARIANT`` sizes a variant from its config (an adapter: its parent's)."""

from __future__ import annotations

from pathlib import Path

from registry_factories import register_full_copy, register_lora

from harness.memory import model_shape
from harness.registry import Variant


def test_variants_are_sized_from_their_own_or_their_parents_config(
    registry_store: Path, tiny_root: Variant, tmp_path: Path
) -> None:
    register_lora(registry_store, tiny_root, tmp_path / "lora")
    register_full_copy(registry_store, tiny_root, tmp_path / "full", "tiny-full")
    for name in ("tiny-lora", "tiny-full", tiny_root.variant_id):
        shape = model_shape(name, registry_store)
        assert shape.n_parameters == tiny_root.total_params
        assert (shape.n_layers, shape.hidden_size, shape.n_heads) == (2, 64, 4)
