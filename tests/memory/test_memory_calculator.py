"""``harness memory``: parameter counts from the config, and the byte arithmetic by hand."""

from __future__ import annotations

import re

import pytest

from harness.cli.main import main
from harness.memory import (
    MemoryOptions,
    activation_bytes,
    chinchilla_tokens,
    memory_table,
    model_shape,
)

# SmolLM2-135M: 30 layers, hidden 576, 9 heads of 64, 3 KV heads, MLP 1536, vocab 49152, tied.
H, L, HEADS, KV, FF, V = 576, 30, 9, 3, 1536, 49152
PER_LAYER = 2 * H * H + 2 * H * (KV * 64) + 3 * H * FF + 2 * H  # q,o + k,v + MLP + 2 norms
SMOL_PARAMS = V * H + L * PER_LAYER + H  # embeddings (tied with lm_head) + layers + final norm


def _by_label(lines, section_start: str) -> dict[str, int]:  # type: ignore[no-untyped-def]
    return {line.label: line.bytes for line in lines if line.section.startswith(section_start)}


def test_the_tiny_model_is_counted_without_loading_and_lora_matches_peft(tiny_model) -> None:  # type: ignore[no-untyped-def]
    from peft import LoraConfig, get_peft_model

    from harness.models import load_model

    shape = model_shape("tiny-random-llama")
    assert shape.n_parameters == tiny_model.n_parameters
    # As DeepSpeed's model_to_params finds it: the most parameters one module owns.
    own = [sum(p.numel() for p in m.parameters(recurse=False)) for m in tiny_model.model.modules()]
    assert shape.largest_layer_params == max(own)
    fresh = load_model("tiny-random-llama").model
    for rank, targets in ((4, ("q_proj", "v_proj")), (16, ("q_proj", "k_proj", "down_proj"))):
        peft_model = get_peft_model(fresh, LoraConfig(r=rank, target_modules=list(targets)))
        trainable = sum(p.numel() for p in peft_model.parameters() if p.requires_grad)
        assert shape.lora_parameters(rank, targets) == trainable
        fresh = peft_model.unload()


def test_model_states_follow_the_zero_paper_accounting() -> None:
    from harness.memory import zero_stages

    p, n = 1_000_000, 8
    assert zero_stages(p, n) == [
        ("ZeRO-0 (DDP)", 16_000_000, "(2+2+12)Ψ"),
        ("ZeRO-1", 2_000_000 + 2_000_000 + 1_500_000, "2Ψ+2Ψ+12Ψ/N"),
        ("ZeRO-2", 2_000_000 + 1_750_000, "2Ψ+(2+12)Ψ/N"),
        ("ZeRO-3", 2_000_000, "(2+2+12)Ψ/N"),
    ]
    assert chinchilla_tokens(p) == 20_000_000


def test_deepspeed_estimates_follow_its_estimator_formulas() -> None:
    """DeepSpeed's estimate_zero2/3_model_states_mem_needs, by hand: 1M parameters, a
    largest layer of 100K, 8 GPUs on one node, CPU with the 1.5 buffer factor."""
    from harness.memory import deepspeed_estimates

    p, largest, n = 1_000_000, 100_000, 8
    got = {e.label: (e.gpu, e.cpu) for e in deepspeed_estimates(p, largest, n)}
    assert got == {
        "ZeRO-2": (4_000_000 + 2_000_000, 48_000_000),  # 4Ψ+16Ψ/N; 4Ψ·N·1.5
        "ZeRO-2, optimizer offloaded": (2_000_000, 48_000_000),  # 2Ψ; Ψ·max(32,16)·1.5
        "ZeRO-3": (400_000 + 2_250_000, 4_800_000),  # 4L+18Ψ/N; 4L·N·1.5
        "ZeRO-3, optimizer offloaded": (400_000 + 250_000, 24_000_000),  # 4L+2Ψ/N; 16Ψ·1.5
        "ZeRO-3, optimizer and params offloaded": (400_000, 27_000_000),  # 4L; 18Ψ·1.5
    }
    # Three GPUs: the CPU floor of 16 B/param for the offloaded optimizer applies, and DeepSpeed
    # truncates 16Ψ/N and 18Ψ/N to whole bytes.
    three = {e.label: (e.gpu, e.cpu) for e in deepspeed_estimates(1_000_001, 7, 3)}
    assert three["ZeRO-2"] == (4_000_004 + 16_000_016 // 3, 4_000_004 * 3 * 3 // 2)
    assert three["ZeRO-2, optimizer offloaded"][1] == 1_000_001 * 16 * 3 // 2
    assert three["ZeRO-3"][0] == 28 + 18_000_018 // 3


@pytest.mark.integration
def test_smollm2_numbers_match_a_hand_computation() -> None:
    shape = model_shape("smollm2-135m-instruct")
    assert shape.n_parameters == SMOL_PARAMS == 134_515_008
    options = MemoryOptions(gpus=4, lora_rank=8, batch=2, seq_len=512)
    lines = memory_table(shape, options)
    p = SMOL_PARAMS
    assert _by_label(lines, "weights") == {"fp32": 4 * p, "fp16": 2 * p, "bf16": 2 * p, "int8": p}
    s, b = 512, 2
    act16 = L * (s * b * H * 34 + 5 * HEADS * s * s * b) + s * b * V * 4
    act32 = L * (s * b * H * 34 + 5 * HEADS * s * s * b) * 2 + s * b * V * 4
    assert activation_bytes(shape, b, s, 2) == act16
    fp32 = _by_label(lines, "full fine-tune, Adam, fp32")
    assert fp32 == {
        "weights": 4 * p,
        "gradients": 4 * p,
        "optimizer states": 8 * p,
        "activations (estimate)": act32,
        "total": 16 * p + act32,
    }
    mixed = _by_label(lines, "full fine-tune, Adam, mixed")
    assert mixed["optimizer states"] == 12 * p and mixed["total"] == 16 * p + act16
    lora_params = L * 8 * ((H + H) + (H + KV * 64))  # q_proj and v_proj, A and B
    assert lora_params == 460_800
    lora = _by_label(lines, "LoRA r=8 on q_proj,v_proj, 16-bit base")
    assert lora["total"] == 2 * p + 16 * lora_params + act16
    zero = _by_label(lines, "per GPU, 4 GPUs,")
    assert zero["ZeRO-0 (DDP) model states"] == 16 * p
    assert zero["ZeRO-1 model states"] == 4 * p + 12 * p // 4
    assert zero["ZeRO-3 model states"] == 16 * p // 4
    embedding = V * H  # the largest layer: the (tied) embedding matrix
    assert shape.largest_layer_params == embedding == 28_311_552
    deepspeed = _by_label(lines, "per GPU, 4 GPUs on one node, DeepSpeed")
    assert deepspeed["ZeRO-2"] == 4 * p + 16 * p // 4
    assert deepspeed["ZeRO-3"] == 4 * embedding + 18 * p // 4
    assert deepspeed["ZeRO-3, optimizer and params offloaded"] == 4 * embedding
    cpu = _by_label(lines, "CPU memory of the node, 4 GPUs")
    assert cpu["ZeRO-2, optimizer offloaded"] == p * 16 * 3 // 2  # max(4*4, 16) = 16
    assert cpu["ZeRO-3, optimizer offloaded"] == p * 16 * 3 // 2


@pytest.mark.integration
def test_the_cli_prints_the_hand_computed_numbers(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["memory", "--model", "smollm2-135m-instruct", "--gpus", "4"]) == 0
    out = capsys.readouterr().out
    assert f"{SMOL_PARAMS:,} parameters" in out
    assert f"Chinchilla-optimal training tokens (20/param): {20 * SMOL_PARAMS:,}" in out
    assert re.search(rf"^fp32\s+{4 * SMOL_PARAMS:,}\s+0\.501\s+4 B/param$", out, re.M)
    assert re.search(rf"^ZeRO-3 model states\s+{16 * SMOL_PARAMS // 4:,}\s", out, re.M)
    assert re.search(
        rf"^ZeRO-3, optimizer offloaded\s+{4 * V * H + 2 * SMOL_PARAMS // 4:,}\s", out, re.M
    )
    assert "K=12" in out


def test_bad_sizes_are_refused(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["memory", "--model", "tiny-random-llama", "--gpus", "0"]) == 2
    assert (
        "argument --gpus: 0 is out of range; pass a whole number of at least 1"
        in capsys.readouterr().err
    )
