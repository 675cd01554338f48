"""Each supervised recipe, a few steps on a tiny random Llama: the loss falls, a variant registers."""

from __future__ import annotations

from pathlib import Path

from tiny_training import losses, train_tiny

from harness.registry import get_variant, load_variant


def test_sft_full_lowers_the_loss_and_registers_a_full_model(lab: Path) -> None:
    variant = train_tiny("sft-full", lab, "name=tiny-sft", "train.learning_rate=3e-3")
    curve = losses(variant)
    assert len(curve) == 4 and curve[-1] < curve[0]
    assert variant.kind == "full-ft"
    assert variant.trainable_params == variant.total_params
    assert get_variant(lab, variant.parent_id).spec == "tiny-random-llama"
    # The saved folder loads back to exactly the registered weights.
    assert load_variant(lab, "tiny-sft").weights_hash == variant.weights_hash
    assert not (Path(variant.path).parent / "checkpoints").exists()


def test_lora_lowers_the_loss_and_registers_only_the_adapter(lab: Path) -> None:
    variant = train_tiny("lora", lab, "name=tiny-lora", "train.learning_rate=3e-2")
    curve = losses(variant)
    assert curve[-1] < curve[0]
    assert variant.kind == "lora"
    assert (Path(variant.path) / "adapter_config.json").is_file()
    # rank 32 on q_proj (64->64) and v_proj (64->32) of 2 layers: 2 * (32*(64+64) + 32*(64+32))
    assert variant.trainable_params == 2 * (32 * 128 + 32 * 96)
    assert variant.details["trainable_share"] == variant.trainable_params / variant.total_params
    assert load_variant(lab, variant.variant_id).weights_hash == variant.weights_hash


def test_lora_can_save_a_merged_copy(lab: Path) -> None:
    variant = train_tiny(
        "lora", lab, "name=tiny-merged", "lora.save_merged=true", "train.max_steps=2"
    )
    assert (Path(variant.details["merged_path"]) / "config.json").is_file()
    assert load_variant(lab, variant.name).weights_hash == variant.weights_hash


def test_prompt_tuning_trains_only_the_virtual_tokens(lab: Path) -> None:
    variant = train_tiny(
        "prompt-tuning",
        lab,
        "name=tiny-pt",
        "prompt_tuning.virtual_tokens=4",
        "train.learning_rate=0.3",
    )
    curve = losses(variant)
    assert curve[-1] < curve[0]
    assert variant.kind == "prompt-tuning"
    assert variant.trainable_params == 4 * 64  # 4 virtual tokens of the hidden size


def test_multitask_mixes_dialogsum_and_alpaca(lab: Path) -> None:
    variant = train_tiny(
        "sft-multitask",
        lab,
        base=[
            "parent=tiny-random-llama",
            "name=tiny-mix",
            "data.dialogsum=1",
            "data.alpaca=1",
            "data.max_length=160",
            "train.max_steps=4",
            "train.batch_size=2",
            "train.save_steps=2",
            "train.logging_steps=1",
            "train.learning_rate=3e-3",
        ],
    )
    curve = losses(variant)
    assert curve[-1] < curve[0]
    assert variant.details["examples"] == {"dialogsum": 1, "alpaca": 1}
