"""``harness variants``, ``harness lineage`` and ``harness memory``.

The first two read the variant registry in the store; ``memory`` sizes a model from its
config alone (no weights loaded) and prints the memory it needs to load, fine-tune and
shard.
"""

from __future__ import annotations

import argparse

from harness.cli.args import name_list, positive_int
from harness.paths import DEFAULT_MODEL


def add_parsers(
    commands: argparse._SubParsersAction[argparse.ArgumentParser], default_store: str
) -> None:
    """Register ``variants``, ``lineage`` and ``memory`` on the main parser's subcommands."""
    variants = commands.add_parser("variants", help="list registered model variants")
    variants.add_argument(
        "--store",
        default=default_store,
        help="results store: SQLite file or postgresql+psycopg:// URL",
    )
    lineage = commands.add_parser("lineage", help="print the lineage tree of a variant")
    lineage.add_argument("variant", help="variant id (or unique prefix) or name")
    lineage.add_argument(
        "--store",
        default=default_store,
        help="results store: SQLite file or postgresql+psycopg:// URL",
    )
    memory = commands.add_parser(
        "memory", help="memory to load, fine-tune (full/LoRA) and shard (ZeRO) a model"
    )
    memory.add_argument(
        "--model",
        default=DEFAULT_MODEL,
        help="registry name, model folder, Hub id or variant (config only, no weights loaded)",
    )
    memory.add_argument("--gpus", type=positive_int, default=8, help="GPUs for the DDP/ZeRO rows")
    memory.add_argument(
        "--lora-rank", type=positive_int, default=32, help="LoRA rank (the lab: 32)"
    )
    memory.add_argument(
        "--lora-targets",
        type=name_list,
        default=["q_proj", "v_proj"],
        help="comma-separated Linear names LoRA adapts (default q_proj,v_proj)",
    )
    memory.add_argument("--batch", type=positive_int, default=1, help="per-GPU micro-batch")
    memory.add_argument("--seq-len", type=positive_int, default=2048)
    memory.add_argument("--store", default=default_store, help="store to look variants up in")


def run(args: argparse.Namespace) -> int:
    """Dispatch ``variants``, ``lineage`` or ``memory``."""
    if args.command == "variants":
        return _variants(args)
    if args.command == "lineage":
        return _lineage(args)
    return _memory(args)


def _variants(args: argparse.Namespace) -> int:
    from harness.registry import list_variants
    from harness.report.variant_tables import format_variants
    from harness.store import existing_store

    found = list_variants(existing_store(args.store))
    if not found:
        print(
            "no variants registered yet; `harness train RECIPE` registers one "
            "(source models are registered as roots when a recipe starts from them)"
        )
        return 0
    print(format_variants(found))
    return 0


def _lineage(args: argparse.Namespace) -> int:
    from harness.registry import get_variant, list_variants
    from harness.registry.lineage import format_lineage
    from harness.store import existing_store

    variant = get_variant(existing_store(args.store), args.variant)
    print(format_lineage(list_variants(args.store), variant.variant_id))
    return 0


def _memory(args: argparse.Namespace) -> int:
    from harness.memory import MemoryOptions, memory_table, model_shape
    from harness.report.variant_tables import format_memory

    targets = tuple(args.lora_targets)
    options = MemoryOptions(
        gpus=args.gpus,
        lora_rank=args.lora_rank,
        lora_targets=targets,
        batch=args.batch,
        seq_len=args.seq_len,
    )
    shape = model_shape(args.model, args.store)
    print(format_memory(shape, memory_table(shape, options)))
    return 0


def finetune_report(args: argparse.Namespace) -> int:
    """``harness report finetune``: the lineage's task gains and forgetting, paired."""
    from harness.errors import HarnessError
    from harness.report.finetune import finetune_table, format_finetune_table
    from harness.store import existing_store

    if not args.variant:
        raise HarnessError(
            "report finetune needs --variant (any variant of the lineage; see `harness variants`)"
        )
    existing_store(args.store)
    rows = finetune_table(
        args.store,
        args.variant,
        summary_suite=args.summary_suite,
        knowledge_suite=args.knowledge_suite,
        against=args.against,
    )
    print(format_finetune_table(rows, args.against))
    return 0
