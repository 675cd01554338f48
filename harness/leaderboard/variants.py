"""What the leaderboard knows about a model as a *variant*: its kind, parent and recipe.

The variant registry (:mod:`harness.registry`) is the source: pass the registered variant
(and its parent) to :func:`variant_info`, or read them all at once with
:func:`registered_by_hash`. Without a registry entry the kind, parent and recipe come from
the model record's ``details`` (``harness.registry.load_variant`` writes them there, so a
run of a variant carries them), and otherwise the kind is where the weights came from
(``package``, ``gguf``, ``hub``, ...).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from harness.registry import VARIANT_KINDS, Variant, list_variants
from harness.store import Location, ModelRecord

# The kinds the registry uses, in the order filters list them.
KNOWN_KINDS = VARIANT_KINDS


@dataclass(frozen=True)
class VariantInfo:
    """One row label of the leaderboard and one node of the lineage tree."""

    model_hash: str
    name: str
    kind: str
    parent_hash: str | None
    recipe: str | None
    n_parameters: int
    dtype: str
    source: str


def source_scheme(source: str) -> str:
    """``package``, ``gguf``, ``folder``, ``hub`` or ``random`` from a model's source string."""
    scheme, sep, _ = source.partition(":")
    return scheme if sep else source


def variant_info(
    model: ModelRecord, variant: Variant | None = None, parent: Variant | None = None
) -> VariantInfo:
    """The variant view of a stored model record: the registry's entry when given, else details."""
    if variant is not None:
        return VariantInfo(
            model_hash=model.model_hash,
            name=variant.name,
            kind=variant.kind,
            parent_hash=parent.weights_hash if parent is not None else None,
            recipe=variant.recipe,
            n_parameters=model.n_parameters,
            dtype=model.dtype,
            source=model.source,
        )
    details = model.details
    kind = details.get("variant_kind") or details.get("kind") or source_scheme(model.source)
    parent_hash = details.get("parent_hash") or details.get("parent")
    recipe = details.get("recipe")
    return VariantInfo(
        model_hash=model.model_hash,
        name=model.name,
        kind=str(kind),
        parent_hash=str(parent_hash) if parent_hash else None,
        recipe=str(recipe) if recipe else None,
        n_parameters=model.n_parameters,
        dtype=model.dtype,
        source=model.source,
    )


def registered_by_hash(store: Location) -> dict[str, Variant]:
    """Every registered variant keyed by its weights hash (a run's ``model_hash``)."""
    return {variant.weights_hash: variant for variant in list_variants(store)}


def registered_variant_info(model: ModelRecord, registered: Mapping[str, Variant]) -> VariantInfo:
    """:func:`variant_info` from the registry when these weights are registered, else details."""
    variant = registered.get(model.model_hash)
    if variant is None:
        return variant_info(model)
    parents = {v.variant_id: v for v in registered.values()}
    parent = parents.get(variant.parent_id) if variant.parent_id else None
    return variant_info(model, variant, parent)


def unknown_variant(model_hash: str, spec: str) -> VariantInfo:
    """A stand-in for a run whose model record is missing (a damaged or hand-edited store)."""
    return VariantInfo(
        model_hash=model_hash,
        name=spec,
        kind="unknown",
        parent_hash=None,
        recipe=None,
        n_parameters=0,
        dtype="?",
        source="unknown",
    )


def format_parameters(n: int) -> str:
    """Parameter count for people: ``3.2M``, ``135M``, ``1.7B``."""
    for unit, scale in (("B", 1e9), ("M", 1e6), ("K", 1e3)):
        if n >= scale:
            return f"{n / scale:.3g}{unit}"
    return str(n)
