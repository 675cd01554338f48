"""The quantize and prune recipes on a tiny random Llama: each registers a smaller (or
sparser) child of its parent that loads back and still predicts like it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import torch
from tiny_training import train_tiny

from harness.compression import weight_sparsity
from harness.errors import HarnessError
from harness.registry import get_variant, hash_weights, load_variant

TINY = "tiny-random-llama"
SENTENCE = "#Person1#: Did you finish the report?\n#Person2#: Almost, one table is left."


def _quantize(store: Path, *extra: str) -> Any:
    return train_tiny(
        "quantize", store, f"parent={TINY}", "quantize.speed_tokens=4", *extra, base=()
    )


def _loglikelihood(model: Any, tokenizer: Any) -> float:
    """Summed log-probability of the sentence's tokens after the first."""
    ids = tokenizer(SENTENCE, return_tensors="pt")["input_ids"]
    with torch.no_grad():
        logp = model(ids).logits[0, :-1].float().log_softmax(-1)
    return float(logp.gather(-1, ids[0, 1:, None]).sum())


def test_quantize_registers_an_int8_child_that_is_smaller_in_memory(lab: Path) -> None:
    variant = _quantize(lab, "name=tiny-int8")
    assert variant.kind == "quantized"
    assert variant.details["bits"] == 8
    assert variant.details["method"] == "int8-weight-only"
    # 2 layers x (q, k, v, o, gate, up, down); the tied LM head stays float.
    assert variant.details["quantized_layers"] == 14
    assert variant.details["memory_bytes_after"] < variant.details["memory_bytes_before"]
    assert variant.details["disk_bytes_after"] < variant.details["disk_bytes_before"]
    assert variant.details["tokens_per_second_quantized"] > 0
    assert 0 <= variant.details["next_token_kl"] < 1e-3
    assert variant.trainable_params == 0 and variant.details["steps"] == 0
    assert get_variant(lab, variant.parent_id).spec == TINY


def test_quantized_variant_loads_back_and_scores_like_its_parent(lab: Path) -> None:
    from transformers import AutoModelForCausalLM

    variant = _quantize(lab, "name=tiny-int8-load")
    loaded = load_variant(lab, "tiny-int8-load")
    parent = load_variant(lab, variant.parent_id)
    assert loaded.weights_hash == variant.weights_hash
    assert loaded.model.model.layers[0].mlp.up_proj.weight.qdata.dtype == torch.int8
    # The registered hash is the hash of the int8 tensors the folder really holds.
    reread = AutoModelForCausalLM.from_pretrained(variant.path)
    assert hash_weights(reread) == variant.weights_hash
    quantized_ll = _loglikelihood(loaded.model, loaded.tokenizer)
    parent_ll = _loglikelihood(parent.model, parent.tokenizer)
    assert quantized_ll == pytest.approx(parent_ll, rel=1e-3)


def test_dynamic_int8_variant_loads_back_too(lab: Path) -> None:
    variant = _quantize(lab, "name=tiny-dyn", "quantize.method=int8-dynamic")
    assert variant.details["method"] == "int8-dynamic" and variant.details["bits"] == 8
    assert load_variant(lab, "tiny-dyn").weights_hash == variant.weights_hash


def test_quantize_merges_a_lora_parent_first(lab: Path) -> None:
    lora = train_tiny("lora", lab, "name=tiny-lora-q", "train.max_steps=1")
    variant = _quantize(lab, "name=tiny-lora-int8", "parent=tiny-lora-q")
    assert variant.parent_id == lora.variant_id
    assert load_variant(lab, variant.name).weights_hash == variant.weights_hash


def test_quantize_refuses_an_already_quantized_parent(lab: Path) -> None:
    _quantize(lab, "name=tiny-int8-once")
    with pytest.raises(HarnessError, match="already quantized"):
        _quantize(lab, "name=tiny-int8-twice", "parent=tiny-int8-once")


def _prune(store: Path, *extra: str) -> Any:
    return train_tiny("prune", store, "train.learning_rate=3e-2", *extra)


def test_magnitude_pruning_reaches_the_target_sparsity(lab: Path) -> None:
    variant = _prune(lab, "name=tiny-sparse", "prune.sparsity=0.5")
    assert variant.kind == "pruned"
    assert variant.details["method"] == "magnitude"
    assert variant.details["sparsity"] == pytest.approx(0.5, abs=1e-3)
    assert variant.details["parameters_after"] == variant.details["parameters_before"]
    assert variant.trainable_params == 0 and variant.details["steps"] == 0
    loaded = load_variant(lab, "tiny-sparse")
    assert loaded.weights_hash == variant.weights_hash
    assert weight_sparsity(loaded.model) == pytest.approx(0.5, abs=1e-3)


def test_pruned_zeros_stay_zero_through_a_recovery_fine_tune(lab: Path) -> None:
    variant = _prune(lab, "name=tiny-recovered", "prune.sparsity=0.4", "prune.recovery_steps=2")
    assert variant.details["steps"] == 2 and len(variant.details["training"]["loss"]) == 2
    assert variant.details["sparsity"] == pytest.approx(0.4, abs=1e-3)
    assert variant.details["sparsity"] == variant.details["sparsity_after_pruning"]
    # The surviving weights did train: the model is not the merely pruned one.
    pruned_only = _prune(lab, "name=tiny-not-recovered", "prune.sparsity=0.4")
    assert pruned_only.weights_hash != variant.weights_hash
    loaded = load_variant(lab, "tiny-recovered")
    assert weight_sparsity(loaded.model) == variant.details["sparsity"]


def test_recovery_without_the_mask_would_fill_the_zeros(lab: Path) -> None:
    """The check above can fail: an unmasked AdamW step moves pruned weights off zero."""
    from harness.compression import magnitude_prune
    from harness.models import load_model
    from harness.recipes.prune import KeepPruned

    model = load_model(TINY).model
    magnitude_prune(model, 0.5)
    keep = KeepPruned(model)
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-2)
    model(torch.arange(1, 17)[None], labels=torch.arange(1, 17)[None]).loss.backward()
    optimizer.step()
    assert weight_sparsity(model) < 0.01
    keep.apply(model)
    assert weight_sparsity(model) == pytest.approx(0.5, abs=1e-3)


def test_mlp_channel_pruning_shrinks_the_model_and_loads_back(lab: Path) -> None:
    variant = _prune(lab, "name=tiny-narrow", "prune.method=mlp-channels", "prune.sparsity=0.25")
    # The tiny model's MLPs have 128 channels; a quarter of them go.
    assert variant.details["intermediate_size"] == 96
    assert variant.details["parameters_after"] < variant.details["parameters_before"]
    # 2 layers x 3 projections x 32 channels x 64 hidden units removed.
    removed = variant.details["parameters_before"] - variant.details["parameters_after"]
    assert removed == 2 * 3 * 32 * 64
    loaded = load_variant(lab, "tiny-narrow")
    assert loaded.model.config.intermediate_size == 96
    assert loaded.n_parameters == variant.total_params == variant.details["parameters_after"]
    assert loaded.weights_hash == variant.weights_hash


def test_prune_names_the_known_methods_for_a_bad_one(lab: Path) -> None:
    with pytest.raises(HarnessError, match="mlp-channels"):
        _prune(lab, "name=tiny-bad", "prune.method=heads")
