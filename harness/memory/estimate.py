"""GPU memory to hold, fine-tune and shard a model: the course's tables for any model.

Conventions (bytes per parameter, Ψ = number of parameters):

- Weights alone: fp32 4, fp16 2, bf16 2, int8 1.
- Full fine-tuning with Adam in fp32: weights 4 + gradients 4 + optimizer states 8
  (momentum and variance) = 16 bytes.
- Mixed-precision Adam (ZeRO paper, Rajbhandari et al. 2020, §3.1): 16-bit weights 2 +
  16-bit gradients 2 + K = 12 bytes of fp32 optimizer state (master weights 4, momentum 4,
  variance 4) = 16 bytes.
- ZeRO on N GPUs, per GPU (mixed precision): DDP (2+2+12)Ψ; stage 1 shards optimizer
  states 2Ψ+2Ψ+12Ψ/N; stage 2 also gradients 2Ψ+(2+12)Ψ/N; stage 3 also weights (2+2+12)Ψ/N.
- LoRA: frozen base weights (4 bytes in fp32, 2 in 16-bit) plus 16 bytes per adapter
  parameter (fp32 adapter weights 4, gradients 4, Adam 8; peft keeps adapters in fp32).
- Activations (estimate, no recomputation), after Korthikanti et al. 2022: per layer
  s·b·h·(34 + 5·a·s/h) bytes at 16-bit, twice that in fp32, plus the fp32 logits the loss
  reads, s·b·V·4 bytes. Every training row adds the same activation estimate per GPU
  (``batch`` is the per-GPU micro-batch).
- Chinchilla-optimal training tokens: 20 per parameter (Hoffmann et al. 2022).
"""

from __future__ import annotations

from dataclasses import dataclass

from harness.memory.shape import DEFAULT_LORA_TARGETS, ArchitectureShape

WEIGHT_BYTES = {"fp32": 4, "fp16": 2, "bf16": 2, "int8": 1}
ADAM_FP32 = {"weights": 4, "gradients": 4, "optimizer states": 8}
ADAM_MIXED = {"weights": 2, "gradients": 2, "optimizer states": 12}
LORA_BYTES_PER_ADAPTER_PARAM = 16
CHINCHILLA_TOKENS_PER_PARAM = 20


@dataclass(frozen=True)
class MemoryOptions:
    """The training setup the estimate is for."""

    gpus: int = 8
    lora_rank: int = 32
    lora_targets: tuple[str, ...] = DEFAULT_LORA_TARGETS
    batch: int = 1
    seq_len: int = 2048


@dataclass(frozen=True)
class MemoryLine:
    """One row of the printed table: what, how many bytes, and how it was counted."""

    section: str
    label: str
    bytes: int
    rule: str


def activation_bytes(
    shape: ArchitectureShape, batch: int, seq_len: int, bytes_per_value: int
) -> int:
    """Activations kept for the backward pass: the per-layer term plus the fp32 logits."""
    s, b, h, a = seq_len, batch, shape.hidden_size, shape.n_heads
    per_layer_16bit = s * b * h * 34 + 5 * a * s * s * b
    layers = shape.n_layers * per_layer_16bit * bytes_per_value // 2
    logits = s * b * shape.vocab_size * 4
    return layers + logits


def memory_table(shape: ArchitectureShape, options: MemoryOptions) -> list[MemoryLine]:
    """Every row of ``harness memory``, in print order."""
    if options.gpus < 1 or options.batch < 1 or options.seq_len < 1 or options.lora_rank < 1:
        from harness.errors import HarnessError

        raise HarnessError("--gpus, --batch, --seq-len and --lora-rank must be at least 1")
    p = shape.n_parameters
    n = options.gpus
    act16 = activation_bytes(shape, options.batch, options.seq_len, 2)
    act32 = activation_bytes(shape, options.batch, options.seq_len, 4)
    adapter = shape.lora_parameters(options.lora_rank, options.lora_targets)
    lines = [
        MemoryLine("weights", name, p * size, f"{size} B/param")
        for name, size in WEIGHT_BYTES.items()
    ]
    for label, parts, act in (("fp32", ADAM_FP32, act32), ("mixed 16-bit", ADAM_MIXED, act16)):
        section = f"full fine-tune, Adam, {label}"
        lines += [
            MemoryLine(section, part, p * size, f"{size} B/param") for part, size in parts.items()
        ]
        lines.append(MemoryLine(section, "activations (estimate)", act, _act_rule(options)))
        total = p * sum(parts.values()) + act
        lines.append(MemoryLine(section, "total", total, f"{sum(parts.values())} B/param + act"))
    for label, base_bytes, act in (("fp32 base", 4, act32), ("16-bit base", 2, act16)):
        section = f"LoRA r={options.lora_rank} on {','.join(options.lora_targets)}, {label}"
        lines += [
            MemoryLine(section, "frozen weights", p * base_bytes, f"{base_bytes} B/param"),
            MemoryLine(
                section,
                f"adapters ({adapter:,} params)",
                adapter * LORA_BYTES_PER_ADAPTER_PARAM,
                "16 B/adapter param",
            ),
            MemoryLine(section, "activations (estimate)", act, _act_rule(options)),
            MemoryLine(
                section,
                "total",
                p * base_bytes + adapter * LORA_BYTES_PER_ADAPTER_PARAM + act,
                "sum",
            ),
        ]
    section = f"per GPU, {n} GPUs, mixed 16-bit Adam (ZeRO paper, K=12)"
    for stage, states, rule in zero_stages(p, n):
        lines.append(MemoryLine(section, f"{stage} model states", states, rule))
    lines.append(MemoryLine(section, "+ activations per GPU", act16, _act_rule(options)))
    return lines


def zero_stages(p: int, n: int) -> list[tuple[str, int, str]]:
    """Model-state bytes per GPU under DDP and ZeRO stages 1-3 (mixed precision, K=12)."""
    return [
        ("DDP", 16 * p, "(2+2+12)Ψ"),
        ("ZeRO-1", 4 * p + _ceil_div(12 * p, n), "2Ψ+2Ψ+12Ψ/N"),
        ("ZeRO-2", 2 * p + _ceil_div(14 * p, n), "2Ψ+(2+12)Ψ/N"),
        ("ZeRO-3", _ceil_div(16 * p, n), "(2+2+12)Ψ/N"),
    ]


def chinchilla_tokens(n_parameters: int) -> int:
    """Compute-optimal training tokens: about 20 per parameter."""
    return CHINCHILLA_TOKENS_PER_PARAM * n_parameters


def _ceil_div(a: int, b: int) -> int:
    return -(-a // b)


def _act_rule(options: MemoryOptions) -> str:
    return f"b={options.batch}, s={options.seq_len}"
