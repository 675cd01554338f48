"""Loading variants: roots by spec, full folders, and peft adapters on their parent."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from registry_factories import TRAINING_CURVES, register_full_copy, register_lora, tiny_lora

from harness.errors import HarnessError
from harness.models import load_model
from harness.registry import Variant, ensure_root, get_variant, list_variants, load_variant

IDS = torch.tensor([[1, 42, 7, 300, 2048, 5]])


def _logits(model) -> torch.Tensor:  # type: ignore[no-untyped-def]
    with torch.no_grad():
        return model(IDS).logits


def test_a_source_model_becomes_a_root_once(registry_store: Path, tiny_model) -> None:  # type: ignore[no-untyped-def]
    root = ensure_root(registry_store, "tiny-random-llama")
    assert root.kind == "base" and root.parent_id is None and root.spec == "tiny-random-llama"
    assert root.weights_hash == tiny_model.weights_hash
    assert root.variant_id == "v-" + tiny_model.weights_hash[:12]
    assert root.total_params == tiny_model.n_parameters
    assert ensure_root(registry_store, "tiny-random-llama") == root
    assert len(list_variants(registry_store)) == 1


def test_a_lora_adapter_loads_back_with_the_same_logits(
    registry_store: Path, tiny_root: Variant, tmp_path: Path
) -> None:
    in_memory = register_lora(registry_store, tiny_root, tmp_path / "lora")
    variant = get_variant(registry_store, "tiny-lora")
    assert variant.is_adapter and variant.trainable_params == 2 * 4 * (64 + 64 + 64 + 32)
    loaded = load_variant(registry_store, "tiny-lora")
    assert torch.equal(_logits(loaded.model), _logits(in_memory))
    base = load_model("tiny-random-llama").model
    assert not torch.equal(_logits(loaded.model), _logits(base))  # the adapter does something
    assert loaded.weights_hash == variant.weights_hash
    assert loaded.details["variant_id"] == variant.variant_id
    assert loaded.details["variant_kind"] == "lora"
    assert loaded.details["parent_hash"] == tiny_root.weights_hash
    assert loaded.details["recipe"] == "lora"
    assert loaded.details["training"] == TRAINING_CURVES


def test_a_full_folder_variant_loads_back_with_the_same_logits(
    registry_store: Path, tiny_root: Variant, tmp_path: Path
) -> None:
    saved = register_full_copy(registry_store, tiny_root, tmp_path / "full", "tiny-full")
    loaded = load_variant(registry_store, "tiny-full")
    assert torch.equal(_logits(loaded.model), _logits(saved.model))
    assert (
        loaded.weights_hash
        == saved.weights_hash
        == get_variant(registry_store, "tiny-full").weights_hash
    )
    assert loaded.name == "tiny-full" and loaded.details["parent_hash"] == tiny_root.weights_hash


def test_changed_adapter_files_are_refused(
    registry_store: Path, tiny_root: Variant, tmp_path: Path
) -> None:
    register_lora(registry_store, tiny_root, tmp_path / "lora")
    tiny_lora(seed=2).save_pretrained(str(tmp_path / "lora"))  # other weights, same folder
    with pytest.raises(
        HarnessError, match=r"weights of variant 'tiny-lora' hash to .* registered as"
    ):
        load_variant(registry_store, "tiny-lora")


def test_a_bfloat16_folder_loads_in_float32_as_the_same_variant(
    registry_store: Path, tiny_root: Variant, tmp_path: Path
) -> None:
    from harness.registry import count_parameters, hash_weights, new_variant, register_variant

    half = load_model("tiny-random-llama:seed=3", dtype="bfloat16")
    half.model.save_pretrained(str(tmp_path / "half"))
    half.tokenizer.save_pretrained(str(tmp_path / "half"))
    total, trainable = count_parameters(half.model)
    register_variant(
        registry_store,
        new_variant(
            name="tiny-half",
            kind="full-ft",
            parent_id=tiny_root.variant_id,
            path=tmp_path / "half",
            recipe="sft-full",
            config={},
            data_hash=None,
            weights_hash=hash_weights(half.model),
            total_params=total,
            trainable_params=trainable,
            training_seconds=None,
            final_losses={},
            details={},
        ),
    )
    loaded = load_variant(registry_store, "tiny-half")
    assert loaded.weights_hash == hash_weights(half.model)
    assert next(loaded.model.parameters()).dtype == torch.float32
    upcast = {name: t.float() for name, t in half.model.state_dict().items()}
    assert all(torch.equal(t, upcast[name]) for name, t in loaded.model.state_dict().items())


def test_harness_eval_finds_the_variant_in_the_store_it_is_given(
    registry_store: Path, tiny_root: Variant, tmp_path: Path, toy_suite: Path
) -> None:
    from harness.cli.main import main
    from harness.store import open_store

    register_lora(registry_store, tiny_root, tmp_path / "lora")
    argv = ["eval", "--model", "tiny-lora", "--suite", str(toy_suite), "--tasks", "toy_mc"]
    data = str(toy_suite.parent.parent / "data")
    assert main([*argv, "--store", str(registry_store), "--data-dir", data, "--no-progress"]) == 0
    variant = get_variant(registry_store, "tiny-lora")
    with open_store(registry_store) as store:
        (run,) = store.list_runs()
        model = store.get_model(run.model_hash)
    assert run.model_hash == variant.weights_hash and run.model_spec == "tiny-lora"
    assert model is not None and model.details["variant_id"] == variant.variant_id
    assert model.details["parent_hash"] == tiny_root.weights_hash


@pytest.mark.integration
def test_the_packaged_smollm2_is_an_instruct_root(registry_store: Path) -> None:
    from harness.models.packaged import PACKAGED_MODELS, packaged_file

    root = ensure_root(registry_store, "smollm2-135m-instruct")
    assert (root.kind, root.name, root.parent_id) == ("instruct", "smollm2-135m-instruct", None)
    assert root.total_params == 134_515_008
    assert root.size_bytes == packaged_file(PACKAGED_MODELS["smollm2-135m-instruct"]).stat().st_size
    assert root.weights_hash == load_model("smollm2-135m-instruct").weights_hash
