"""The registry's terminal tables: ``harness variants`` and ``harness memory``."""

from __future__ import annotations

from harness.memory import ArchitectureShape, MemoryLine, chinchilla_tokens
from harness.registry import Variant
from harness.registry.lineage import format_count
from harness.report.text_table import format_table

GIB = 1024**3


def format_variants(variants: list[Variant]) -> str:
    """One row per variant: identity, lineage, recipe, sizes, training time and losses."""
    names = {v.variant_id: v.name for v in variants}
    rows = [
        [
            v.variant_id,
            v.name,
            v.kind,
            names.get(v.parent_id, v.parent_id or "") if v.parent_id else "-",
            v.recipe or "-",
            format_count(v.total_params),
            format_count(v.trainable_params),
            _format_bytes(v.size_bytes),
            f"{v.training_seconds:.1f}s" if v.training_seconds is not None else "-",
            " ".join(f"{k}={val:.4g}" for k, val in sorted(v.final_losses.items())) or "-",
        ]
        for v in variants
    ]
    header = ["id", "name", "kind", "parent", "recipe", "params", "trainable", "size", "time"]
    return format_table([*header, "final losses"], rows)


def format_memory(shape: ArchitectureShape, lines: list[MemoryLine]) -> str:
    """Sections of rows (label, bytes, GiB, rule), headed by the model and Chinchilla tokens."""
    out = [
        f"{shape.name}: {shape.n_parameters:,} parameters "
        f"({shape.n_layers} layers, hidden {shape.hidden_size}, {shape.n_heads} heads, "
        f"vocab {shape.vocab_size:,})",
        f"Chinchilla-optimal training tokens (20/param): {chinchilla_tokens(shape.n_parameters):,}",
        "Conventions: ZeRO paper mixed-precision Adam (2+2+12 B/param, K=12); fp32 Adam "
        "4+4+8 B/param; activations after Korthikanti et al. 2022, no recomputation or "
        "FlashAttention, plus fp32 logits. GiB = 2^30 bytes.",
    ]
    sections = list(dict.fromkeys(line.section for line in lines))
    for section in sections:
        rows = [
            [line.label, f"{line.bytes:,}", f"{line.bytes / GIB:.3f}", line.rule]
            for line in lines
            if line.section == section
        ]
        out += ["", section, format_table(["", "bytes", "GiB", "rule"], rows)]
    return "\n".join(out)


def _format_bytes(n: int) -> str:
    """Decimal units (1 KB = 1000 B) to three significant digits."""
    for unit, scale in (("GB", 1e9), ("MB", 1e6), ("KB", 1e3)):
        if n >= scale:
            return f"{n / scale:.3g}{unit}"
    return f"{n}B"
