"""From what a user typed for ``--model`` to a loaded model: a registered variant, else a source.

``harness.models`` knows model sources (packaged names, ``tiny-random-llama``, .gguf files,
folders, Hub ids) and nothing of the store; the registry knows variants. This resolver sits
above both and is given the store explicitly, so a variant name means the variant in *that*
store and never one found through an environment variable or a default path.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from harness.registry.catalog import find_variant
from harness.registry.loading import load_variant

if TYPE_CHECKING:  # harness.models pulls in torch; importing the registry must stay cheap
    from harness.models.loaded import LoadedModel
    from harness.store import Location


def load_model_or_variant(
    store: Location, spec: str, *, dtype: str = "float32", device: str = "cpu"
) -> LoadedModel:
    """The variant ``spec`` names in ``store`` (id, name or unique id prefix), else ``load_model``.

    A variant is tried first, so a registered name always means the registered weights; a
    spec that names no variant (or a store that does not exist yet) loads as a model source,
    whose error for an unknown spec points at ``harness variants``.
    """
    variant = find_variant(store, spec)
    if variant is not None:
        return load_variant(store, variant.variant_id, dtype=dtype, device=device)
    from harness.models import load_model

    return load_model(spec, dtype=dtype, device=device)
