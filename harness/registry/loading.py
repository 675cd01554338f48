"""Load a registered variant as a :class:`LoadedModel` that runs record with its lineage.

A root loads from its spec; a full fine-tune loads from its folder; an adapter variant
(LoRA, prompt tuning) loads its parent first and applies the peft adapter on top. The
loaded model's ``details`` carry the variant id, kind, parent weights hash, recipe and
training curves, so every run of a variant records where it came from.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from harness.errors import HarnessError
from harness.registry.catalog import get_variant
from harness.registry.variant import Variant

if TYPE_CHECKING:  # harness.models pulls in torch; importing the registry must stay cheap
    from harness.models.loaded import LoadedModel
    from harness.store import Location


def load_variant(
    store: Location, id_or_name: str, *, dtype: str = "float32", device: str = "cpu"
) -> LoadedModel:
    """Load the variant named by id, name or unique id prefix, in eval mode."""
    variant = get_variant(store, id_or_name)
    if variant.kind == "reward-model":
        raise HarnessError(
            f"variant '{variant.name}' is a reward model (a sequence classifier), not a causal LM; "
            "score with harness.training.reward_model.load_reward_model, or use its parent"
        )
    loaded = _load(store, variant, dtype=dtype, device=device)
    parent = get_variant(store, variant.parent_id) if variant.parent_id else None
    # Runs record the variant's name as their model spec, so `harness compare` finds it.
    loaded.spec = loaded.name = variant.name
    loaded.details.update(
        {
            "variant_id": variant.variant_id,
            "variant_name": variant.name,
            "variant_kind": variant.kind,
            "parent_hash": parent.weights_hash if parent else None,
            "recipe": variant.recipe,
            "training": variant.details.get("training", {}),
        }
    )
    return loaded


def _load(store: Location, variant: Variant, *, dtype: str, device: str) -> LoadedModel:
    if variant.is_root:
        return _load_root(variant, dtype=dtype, device=device)
    if variant.path is None or not Path(variant.path).is_dir():
        raise HarnessError(
            f"variant '{variant.name}' has no weights folder (path {variant.path}); "
            "train it again or register it with the folder it was saved to"
        )
    if variant.is_adapter:
        return _load_adapter(store, variant, dtype=dtype, device=device)
    return _load_full(variant, dtype=dtype, device=device)


def _load_root(variant: Variant, *, dtype: str, device: str) -> LoadedModel:
    from harness.models import load_model

    if variant.spec is None:
        raise HarnessError(f"root variant '{variant.name}' has no spec; register it again")
    loaded = load_model(variant.spec, dtype=dtype, device=device)
    if dtype == "float32" and loaded.weights_hash != variant.weights_hash:
        raise _changed(variant, loaded.weights_hash)
    return loaded


def _load_full(variant: Variant, *, dtype: str, device: str) -> LoadedModel:
    from harness.models import load_model

    loaded = load_model(str(variant.path), dtype=dtype, device=device)
    if dtype == "float32" and loaded.weights_hash != variant.weights_hash:
        saved_as = _saved_half_dtype(Path(str(variant.path)))
        if saved_as is None or _hash_as(loaded.model, saved_as) != variant.weights_hash:
            raise _changed(variant, loaded.weights_hash)
        # Half-precision weights upcast to float32 exactly: the same variant.
        loaded.weights_hash = variant.weights_hash
    loaded.source = f"variant:{variant.variant_id}"
    return loaded


def _load_adapter(store: Location, variant: Variant, *, dtype: str, device: str) -> LoadedModel:
    from peft import PeftModel

    from harness.models.hashing import weights_hash
    from harness.models.loaded import LoadedModel
    from harness.registry.weights import adapter_state, is_peft_model, state_hash

    assert variant.parent_id is not None  # an adapter always has a parent (is_root is False)
    parent = load_variant(store, variant.parent_id, dtype=dtype, device=device)
    base: Any = parent.model
    if is_peft_model(base):
        # An adapter trained on an adapter variant: fold the parent's LoRA in first.
        if not hasattr(base, "merge_and_unload"):
            raise HarnessError(
                f"variant '{variant.name}' sits on a prompt-tuning parent, which cannot be "
                "merged; train it on a full-weights or LoRA parent"
            )
        base = base.merge_and_unload()
    model = PeftModel.from_pretrained(base, str(variant.path), is_trainable=False)
    model.eval()
    model.to(device)
    if dtype == "float32":
        found = state_hash(adapter_state(model))
        if found != variant.weights_hash:
            raise _changed(variant, found)
        identity = variant.weights_hash
    else:
        identity = weights_hash(model)
    return LoadedModel(
        model=model,
        tokenizer=parent.tokenizer,
        spec=variant.name,
        name=variant.name,
        source=f"variant:{variant.variant_id}",
        weights_hash=identity,
        n_parameters=sum(p.numel() for p in model.parameters()),
        dtype=dtype,
        device=device,
        details={k: v for k, v in parent.details.items() if not k.startswith(("variant", "parent"))}
        | {"adapter": variant.kind},
    )


def _saved_half_dtype(folder: Path) -> str | None:
    """``bfloat16`` or ``float16`` when the folder's config says its weights were saved so."""
    import json

    config = json.loads((folder / "config.json").read_text())
    saved = config.get("dtype") or config.get("torch_dtype")
    return saved if saved in ("bfloat16", "float16") else None


def _hash_as(model: Any, dtype: str) -> str:
    """The weights hash of ``model`` with every floating tensor cast to ``dtype``."""
    import torch

    from harness.registry.weights import state_hash

    target = getattr(torch, dtype)
    state = {
        name: tensor.to(target) if tensor.is_floating_point() else tensor
        for name, tensor in model.state_dict().items()
    }
    return state_hash(state)


def _changed(variant: Variant, found: str) -> HarnessError:
    return HarnessError(
        f"weights of variant '{variant.name}' hash to {found[:12]} but were registered as "
        f"{variant.weights_hash[:12]}; the files changed since registration, so register "
        "them again as a new variant"
    )
