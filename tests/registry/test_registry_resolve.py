"""``load_model_or_variant``: a variant of the store passed in first, else a model source."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from registry_factories import register_lora

from harness.errors import HarnessError
from harness.models import load_model
from harness.registry import Variant, get_variant, load_model_or_variant

IDS = torch.tensor([[1, 42, 7, 300, 2048, 5]])


def _logits(model) -> torch.Tensor:  # type: ignore[no-untyped-def]
    with torch.no_grad():
        return model(IDS).logits


def test_a_variant_name_or_id_loads_from_the_store_passed(
    registry_store: Path, tiny_root: Variant, tmp_path: Path
) -> None:
    in_memory = register_lora(registry_store, tiny_root, tmp_path / "lora")
    variant = get_variant(registry_store, "tiny-lora")
    for spec in ("tiny-lora", variant.variant_id, variant.variant_id[:8]):
        loaded = load_model_or_variant(registry_store, spec)
        assert loaded.spec == "tiny-lora"
        assert loaded.details["variant_id"] == variant.variant_id
        assert torch.equal(_logits(loaded.model), _logits(in_memory))


def test_a_variant_is_found_only_in_the_store_passed_never_through_harness_store(
    registry_store: Path, tiny_root: Variant, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    register_lora(registry_store, tiny_root, tmp_path / "lora")
    monkeypatch.setenv("HARNESS_STORE", str(registry_store))
    monkeypatch.chdir(tmp_path)  # no reports/harness.db to fall back on either
    other = tmp_path / "other.db"
    message = r"unknown model 'tiny-lora'; .* or a variant \(`harness variants`\)"
    with pytest.raises(HarnessError, match=message):
        load_model_or_variant(other, "tiny-lora")
    with pytest.raises(HarnessError, match=message):
        load_model("tiny-lora")  # models resolves sources only
    assert not other.exists()  # looking a name up never creates a store


def test_a_spec_no_variant_names_loads_as_a_model_source(tmp_path: Path, tiny_model) -> None:  # type: ignore[no-untyped-def]
    store = tmp_path / "empty.db"
    loaded = load_model_or_variant(store, "tiny-random-llama")
    assert loaded.weights_hash == tiny_model.weights_hash
    assert "variant_id" not in loaded.details
    assert not store.exists()


def test_a_registered_root_loads_as_its_variant(registry_store: Path, tiny_root: Variant) -> None:
    loaded = load_model_or_variant(registry_store, "tiny-random-llama")
    assert loaded.weights_hash == tiny_root.weights_hash
    assert loaded.details["variant_id"] == tiny_root.variant_id
