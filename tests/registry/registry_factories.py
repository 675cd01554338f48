"""Real tiny variants for the registry tests: a LoRA adapter and a full copy of the tiny model."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from harness.registry import (
    Variant,
    count_parameters,
    hash_weights,
    new_variant,
    register_variant,
    training_data_hash,
)

TRAINING_CURVES = {"loss": [{"step": 1, "value": 2.5}, {"step": 2, "value": 2.0}]}


def tiny_lora(seed: int = 1, rank: int = 4, boost: float = 1.0) -> Any:
    """A peft LoRA model on a fresh tiny Llama, with non-zero B so it changes the logits.

    ``boost`` scales every B matrix, for tests that need the adapter to change predictions.
    """
    import torch
    from peft import LoraConfig, get_peft_model

    from harness.models import load_model

    base = load_model("tiny-random-llama").model
    torch.manual_seed(seed)
    config = LoraConfig(r=rank, target_modules=["q_proj", "v_proj"], init_lora_weights=False)
    model = get_peft_model(base, config)
    with torch.no_grad():
        for name, parameter in model.named_parameters():
            if "lora_B" in name:
                parameter.mul_(boost)
    model.eval()
    return model


def register_lora(
    store: Path, parent: Variant, folder: Path, name: str = "tiny-lora", boost: float = 1.0
) -> Any:
    """Save a tiny LoRA adapter to ``folder``, register it under ``parent``; returns the model."""
    model = tiny_lora(boost=boost)
    model.save_pretrained(str(folder))
    total, trainable = count_parameters(model)
    variant = new_variant(
        name=name,
        kind="lora",
        parent_id=parent.variant_id,
        path=folder,
        recipe="lora",
        config={"rank": 4, "targets": ["q_proj", "v_proj"]},
        data_hash=training_data_hash([{"dialogue": "a", "summary": "b"}]),
        weights_hash=hash_weights(model),
        total_params=total,
        trainable_params=trainable,
        training_seconds=1.5,
        final_losses={"train_loss": 2.0},
        details={"training": TRAINING_CURVES},
    )
    register_variant(store, variant)
    return model


def register_full_copy(store: Path, parent: Variant, folder: Path, name: str) -> Any:
    """Save a fresh tiny model (seed 7) as a full HF folder and register it as a full fine-tune."""
    from harness.models import load_model

    loaded = load_model("tiny-random-llama:seed=7")
    loaded.model.save_pretrained(str(folder))
    loaded.tokenizer.save_pretrained(str(folder))
    total, trainable = count_parameters(loaded.model)
    variant = new_variant(
        name=name,
        kind="full-ft",
        parent_id=parent.variant_id,
        path=folder,
        recipe="sft-full",
        config={"lr": 1e-4},
        data_hash=None,
        weights_hash=hash_weights(loaded.model),
        total_params=total,
        trainable_params=trainable,
        training_seconds=3.0,
        final_losses={"train_loss": 1.0, "eval_loss": 1.25},
        details={},
    )
    register_variant(store, variant)
    return loaded
