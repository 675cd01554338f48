"""What the leaderboard knows about a model as a *variant*: its kind, parent and recipe.

There is no variant registry yet, so everything is derived from the stored model record:
the kind, parent and recipe come from ``details`` when a producer wrote them there, and
otherwise the kind is where the weights came from (``package``, ``gguf``, ``hub``, ...).
When the registry lands, :func:`variant_info` is the one place that reads it instead.
"""

from __future__ import annotations

from dataclasses import dataclass

from harness.store import ModelRecord

# The kinds the registry will use, in the order filters list them.
KNOWN_KINDS = (
    "base",
    "instruct",
    "lora",
    "prompt-tuning",
    "rlhf",
    "dpo",
    "quantized",
    "pruned",
    "distilled",
)


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


def variant_info(model: ModelRecord) -> VariantInfo:
    """The variant view of a stored model record."""
    details = model.details
    kind = details.get("variant_kind") or details.get("kind") or source_scheme(model.source)
    parent = details.get("parent_hash") or details.get("parent")
    recipe = details.get("recipe")
    return VariantInfo(
        model_hash=model.model_hash,
        name=model.name,
        kind=str(kind),
        parent_hash=str(parent) if parent else None,
        recipe=str(recipe) if recipe else None,
        n_parameters=model.n_parameters,
        dtype=model.dtype,
        source=model.source,
    )


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
