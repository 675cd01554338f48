"""The lineage tree of registered variants, as text: a root, then each variant under its parent.

Pure functions over a list of variants, so the CLI and tests share one rendering.
"""

from __future__ import annotations

from collections.abc import Sequence

from harness.errors import HarnessError
from harness.registry.variant import Variant


def format_count(n: int) -> str:
    """Parameter or byte count for people: ``3.22M``, ``135M``, ``1.7B``."""
    for unit, scale in (("B", 1e9), ("M", 1e6), ("K", 1e3)):
        if n >= scale:
            return f"{n / scale:.3g}{unit}"
    return str(n)


def root_of(variants: Sequence[Variant], variant_id: str) -> Variant:
    """The source model at the top of ``variant_id``'s lineage."""
    by_id = {v.variant_id: v for v in variants}
    if variant_id not in by_id:
        raise HarnessError(f"no variant '{variant_id}'; list them with `harness variants`")
    current = by_id[variant_id]
    seen = {current.variant_id}
    while current.parent_id is not None and current.parent_id in by_id:
        current = by_id[current.parent_id]
        if current.variant_id in seen:  # a cycle cannot be registered; stop rather than spin
            break
        seen.add(current.variant_id)
    return current


def lineage_members(variants: Sequence[Variant], root_id: str) -> list[tuple[int, Variant]]:
    """The root and its descendants, depth first (children by name), with their depth."""
    children: dict[str, list[Variant]] = {}
    for variant in variants:
        if variant.parent_id is not None:
            children.setdefault(variant.parent_id, []).append(variant)
    by_id = {v.variant_id: v for v in variants}
    out: list[tuple[int, Variant]] = []

    def visit(variant: Variant, depth: int) -> None:
        out.append((depth, variant))
        for child in sorted(children.get(variant.variant_id, []), key=lambda v: v.name):
            visit(child, depth + 1)

    visit(by_id[root_id], 0)
    return out


def describe(variant: Variant) -> str:
    """One line about a variant: id, kind, recipe, trainable share, final losses, time."""
    parts = [variant.name, variant.variant_id, variant.kind]
    if variant.recipe:
        parts.append(f"recipe {variant.recipe}")
    if variant.is_root:
        parts.append(f"{format_count(variant.total_params)} params")
    else:
        share = 100 * variant.trainable_params / max(variant.total_params, 1)
        parts.append(f"trainable {format_count(variant.trainable_params)} ({share:.2f}%)")
    parts += [f"{name} {value:.4g}" for name, value in sorted(variant.final_losses.items())]
    if variant.training_seconds is not None:
        parts.append(f"{variant.training_seconds:.1f} s")
    return "  ".join(parts)


def format_lineage(variants: Sequence[Variant], variant_id: str) -> str:
    """The whole tree ``variant_id`` belongs to, with ``variant_id`` marked by ``*``."""
    root = root_of(variants, variant_id)
    members = lineage_members(variants, root.variant_id)
    lines: list[str] = []
    # For each depth, whether the ancestor at that depth still has siblings below it.
    open_levels: list[bool] = []
    for index, (depth, variant) in enumerate(members):
        later = [d for d, _ in members[index + 1 :]]
        has_sibling_below = _sibling_follows(later, depth)
        del open_levels[depth:]
        if depth == 0:
            prefix = ""
        else:
            rails = "".join("│   " if is_open else "    " for is_open in open_levels[1:])
            prefix = rails + ("├── " if has_sibling_below else "└── ")
        open_levels.append(has_sibling_below)
        mark = " *" if variant.variant_id == variant_id else ""
        lines.append(prefix + describe(variant) + mark)
    return "\n".join(lines)


def _sibling_follows(later_depths: Sequence[int], depth: int) -> bool:
    """Whether another node at ``depth`` comes before the tree climbs above ``depth``."""
    for later in later_depths:
        if later < depth:
            return False
        if later == depth:
            return True
    return False
