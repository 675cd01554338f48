"""Register and look up variants in the results store (the ``variants`` table).

Reads never create a store: looking a name up in a store that does not exist yet is
simply "not found", so a typo in ``--model`` cannot leave an empty database behind.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from harness.errors import HarnessError
from harness.registry.variant import Variant, check_kind, size_on_disk, variant_id_for
from harness.store import Location, Store, open_store, store_exists, store_location
from harness.store.prefix import only_match


def register_variant(store: Location, variant: Variant) -> Variant:
    """Store ``variant``; registering the same weights again returns the stored variant.

    Raises :class:`HarnessError` when the name is taken by other weights, the kind is
    unknown, or the parent is not registered.
    """
    check_kind(variant.kind)
    with open_store(store) as opened:
        stored = opened.add_variant(variant.to_record())
    return Variant.from_record(stored)


def list_variants(store: Location) -> list[Variant]:
    """Every registered variant, oldest first (so parents come before children)."""
    with _reading(store) as opened:
        if opened is None:
            return []
        return [Variant.from_record(record) for record in opened.list_variants()]


def find_variant(store: Location, id_or_name: str) -> Variant | None:
    """The variant with this id, name or unique id prefix; ``None`` when there is none."""
    wanted = id_or_name.strip()
    if not wanted:
        return None
    with _reading(store) as opened:
        if opened is None:
            return None
        record = opened.get_variant(wanted) or opened.get_variant_by_name(wanted)
        if record is None and len(wanted) > len("v-"):  # "v-" alone would match them all
            record = only_match(
                wanted,
                opened.find_variants_by_prefix(wanted),
                lambda v: v.variant_id,
                noun="variant id",
                hint="type more characters of the id (see `harness variants`)",
            )
    return Variant.from_record(record) if record is not None else None


def get_variant(store: Location, id_or_name: str) -> Variant:
    """The variant with this id, name or unique id prefix; HarnessError when unknown."""
    found = find_variant(store, id_or_name)
    if found is None:
        raise HarnessError(
            f"no variant '{id_or_name.strip()}' in {store_location(store)}; "
            "list them with `harness variants`"
        )
    return found


def ensure_root(store: Location, spec: str) -> Variant:
    """Register a source model (packaged name, folder, .gguf, Hub id, tiny model) as a root.

    Returns the stored root when ``spec`` is already registered; otherwise loads the model
    once to hash its weights. A registered variant's id or name returns that variant.
    """
    spec = spec.strip()
    for variant in list_variants(store):
        if variant.is_root and variant.spec in (spec, _resolved_spec(spec)):
            return variant
    existing = find_variant(store, spec)
    if existing is not None:
        return existing
    from harness.models import load_model

    loaded = load_model(spec)
    resolved = _resolved_spec(spec)
    root = Variant(
        variant_id=variant_id_for(loaded.weights_hash),
        name=resolved,
        kind=_root_kind(loaded.name, spec),
        parent_id=None,
        spec=resolved,
        path=None,
        recipe=None,
        config_hash=None,
        data_hash=None,
        weights_hash=loaded.weights_hash,
        total_params=loaded.n_parameters,
        trainable_params=loaded.n_parameters,
        size_bytes=_source_size(loaded.source),
        training_seconds=None,
        final_losses={},
        details={"source": loaded.source, **loaded.details},
        created_at=datetime.now(UTC),
    )
    return register_variant(store, root)


def children_of(variants: list[Variant], variant_id: str) -> list[Variant]:
    """The variants whose parent is ``variant_id``, by name."""
    return sorted((v for v in variants if v.parent_id == variant_id), key=lambda v: v.name)


def ancestors(store: Location, variant: Variant) -> list[Variant]:
    """Parent, grandparent, ... up to the root (nearest first)."""
    chain: list[Variant] = []
    seen = {variant.variant_id}
    current = variant
    while current.parent_id is not None and current.parent_id not in seen:
        current = get_variant(store, current.parent_id)
        seen.add(current.variant_id)
        chain.append(current)
    return chain


@contextmanager
def _reading(store: Location) -> Iterator[Store | None]:
    """An open store for reading, or ``None`` when the file does not exist."""
    if not store_exists(store):
        yield None
        return
    with open_store(store) as opened:
        yield opened


def _resolved_spec(spec: str) -> str:
    """Paths become absolute, so a root found from another folder is the same root."""
    path = Path(spec).expanduser()
    if spec.endswith(".gguf") or path.is_dir():
        return str(path.resolve())
    return spec


def _root_kind(name: str, spec: str) -> str:
    """Instruction-tuned source models say so in their name (SmolLM2-135M-Instruct)."""
    return "instruct" if "instruct" in f"{name} {spec}".lower() else "base"


def _source_size(source: str) -> int:
    """Bytes of the file or folder a source model was loaded from (0 when not local)."""
    scheme, _, rest = source.partition(":")
    if scheme in ("folder", "gguf"):
        return size_on_disk(rest)
    if scheme == "package":
        from harness.models.packaged import PACKAGED_MODELS, packaged_file

        for entry in PACKAGED_MODELS.values():
            if rest.startswith(entry.distribution + "/"):
                return size_on_disk(packaged_file(entry))
    return 0
