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
- DeepSpeed's own estimators (``estimate_zero2_model_states_mem_needs`` and
  ``estimate_zero3_model_states_mem_needs``, N GPUs on one node, ZeRO-3 with
  ``zero3_init_flag`` as trl's config sets it, L = the largest module's parameters, buffer
  factor 1.5 on CPU): ZeRO-2 GPU 4Ψ+16Ψ/N, CPU 4Ψ·N·1.5; ZeRO-2 with the optimizer
  offloaded GPU 2Ψ, CPU Ψ·max(4N, 16)·1.5; ZeRO-3 GPU 4L+18Ψ/N, CPU 4L·N·1.5; ZeRO-3 with
  the optimizer offloaded GPU 4L+2Ψ/N, CPU 16Ψ·1.5; with parameters offloaded too GPU 4L,
  CPU 18Ψ·1.5. They count more than the paper's model states (ZeRO-2 keeps all 16-bit
  gradients, fp32 gradient partitions add 4Ψ/N, ZeRO-3 makes room to gather the largest
  layer), so they are the figures to plan a launch by.
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
    largest = shape.largest_layer_params
    estimates = deepspeed_estimates(p, largest, n)
    gpu_section = (
        f"per GPU, {n} GPUs on one node, DeepSpeed's estimator (model states; "
        f"L = largest layer, {largest:,} params)"
    )
    lines += [MemoryLine(gpu_section, e.label, e.gpu, e.gpu_rule) for e in estimates]
    lines.append(MemoryLine(gpu_section, "+ activations per GPU", act16, _act_rule(options)))
    cpu_section = f"CPU memory of the node, {n} GPUs, DeepSpeed's estimator (buffer x1.5)"
    lines += [MemoryLine(cpu_section, e.label, e.cpu, e.cpu_rule) for e in estimates]
    return lines


def zero_stages(p: int, n: int) -> list[tuple[str, int, str]]:
    """Model-state bytes per GPU under ZeRO stages 0 (plain DDP) to 3 (mixed precision, K=12)."""
    return [
        ("ZeRO-0 (DDP)", 16 * p, "(2+2+12)Ψ"),
        ("ZeRO-1", 4 * p + _ceil_div(12 * p, n), "2Ψ+2Ψ+12Ψ/N"),
        ("ZeRO-2", 2 * p + _ceil_div(14 * p, n), "2Ψ+(2+12)Ψ/N"),
        ("ZeRO-3", _ceil_div(16 * p, n), "(2+2+12)Ψ/N"),
    ]


@dataclass(frozen=True)
class DeepSpeedEstimate:
    """One ZeRO set-up as DeepSpeed's estimator sizes it: bytes per GPU and on the node's CPU."""

    label: str
    gpu: int
    gpu_rule: str
    cpu: int
    cpu_rule: str


def deepspeed_estimates(p: int, largest: int, n: int) -> list[DeepSpeedEstimate]:
    """DeepSpeed's ``estimate_zero2/3_model_states_mem_needs`` for ``p`` parameters on ``n``
    GPUs of one node (ZeRO-3 with ``zero_init``; CPU figures with the 1.5 buffer factor).

    Integer arithmetic where DeepSpeed truncates a float: ``int(16 * p / n)`` is
    ``16 * p // n`` and ``int(p * k * 1.5)`` is ``p * k * 3 // 2``.
    """
    layer = 4 * largest
    return [
        DeepSpeedEstimate(
            "ZeRO-2", 4 * p + 16 * p // n, "4Ψ+16Ψ/N", 4 * p * n * 3 // 2, "4Ψ·N·1.5"
        ),
        DeepSpeedEstimate(
            "ZeRO-2, optimizer offloaded",
            2 * p,
            "2Ψ",
            p * max(4 * n, 16) * 3 // 2,
            "Ψ·max(4N,16)·1.5",
        ),
        DeepSpeedEstimate(
            "ZeRO-3", layer + 18 * p // n, "4L+18Ψ/N", largest * 4 * n * 3 // 2, "4L·N·1.5"
        ),
        DeepSpeedEstimate(
            "ZeRO-3, optimizer offloaded",
            layer + 2 * p // n,
            "4L+2Ψ/N",
            p * 16 * 3 // 2,
            "16Ψ·1.5",
        ),
        DeepSpeedEstimate(
            "ZeRO-3, optimizer and params offloaded", layer, "4L", p * 18 * 3 // 2, "18Ψ·1.5"
        ),
    ]


def chinchilla_tokens(n_parameters: int) -> int:
    """Compute-optimal training tokens: about 20 per parameter."""
    return CHINCHILLA_TOKENS_PER_PARAM * n_parameters


def _ceil_div(a: int, b: int) -> int:
    return -(-a // b)


def _act_rule(options: MemoryOptions) -> str:
    return f"b={options.batch}, s={options.seq_len}"
