"""The variant registry: every model the lab starts from or produces, and its lineage.

A variant has an id (``v-`` + 12 hex of its weights hash), a kind, a parent (``None`` for
source models), the recipe and config hash that made it, the training data hash, its
parameter counts, size on disk, training time and final losses. Variants live in the
results store's ``variants`` table, beside the runs that evaluated them.
"""

from harness.registry.catalog import (
    ancestors,
    children_of,
    ensure_root,
    find_variant,
    get_variant,
    list_variants,
    register_variant,
)
from harness.registry.loading import load_variant
from harness.registry.resolve import load_model_or_variant
from harness.registry.variant import (
    VARIANT_KINDS,
    Variant,
    canonical_json,
    config_hash,
    new_variant,
    size_on_disk,
    training_data_hash,
    variant_dir,
    variant_id_for,
)
from harness.registry.weights import count_parameters, hash_weights, state_hash

__all__ = [
    "VARIANT_KINDS",
    "Variant",
    "ancestors",
    "canonical_json",
    "children_of",
    "config_hash",
    "count_parameters",
    "ensure_root",
    "find_variant",
    "get_variant",
    "hash_weights",
    "list_variants",
    "load_model_or_variant",
    "load_variant",
    "new_variant",
    "register_variant",
    "size_on_disk",
    "state_hash",
    "training_data_hash",
    "variant_dir",
    "variant_id_for",
]
