"""``harness lifecycle``: the whole model lifecycle from one plan, ending in the table.

Trains every step of ``recipes/lifecycle.yaml`` (or ``--config``), evaluates every
variant on the plan's suites, then prints each variant's scores with its change against
its parent (paired 95% intervals), the reward-hacking watch for RL variants, and writes
the leaderboard report.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from harness.lifecycle import LifecycleConfig, LifecycleResult

SAFETY_METRICS = ("expected_max_toxicity", "toxic_fraction")


def add_parsers(
    commands: argparse._SubParsersAction[argparse.ArgumentParser], default_store: str
) -> None:
    """Register ``lifecycle`` on the main parser's subcommands."""
    life = commands.add_parser(
        "lifecycle",
        help="train every variant of recipes/lifecycle.yaml, evaluate each, print the table",
    )
    life.add_argument(
        "--profile", default=None, help="quick (2-core CPU) or full (GPU); default by device"
    )
    life.add_argument("--config", default=None, metavar="FILE", help="lifecycle YAML to use")
    life.add_argument(
        "--store",
        default=default_store,
        help="results store: SQLite file or postgresql+psycopg:// URL",
    )
    life.add_argument(
        "--report-dir", default="reports", help="where the leaderboard report is written"
    )


def run(args: argparse.Namespace) -> int:
    """Run the plan; Ctrl+C leaves everything finished in place for a re-run to resume."""
    from pathlib import Path

    from harness.errors import HarnessError
    from harness.lifecycle import load_lifecycle_config, run_lifecycle
    from harness.training.config import default_profile

    if args.config is not None and not Path(args.config).expanduser().is_file():
        raise HarnessError(f"--config {args.config} not found; pass a lifecycle YAML file")
    report_dir = Path(args.report_dir).expanduser()
    if report_dir.exists() and not report_dir.is_dir():
        raise HarnessError(f"--report-dir {report_dir} is a file; pass a folder")
    profile = args.profile or default_profile()
    config = load_lifecycle_config(config_file=args.config, profile=profile)
    try:
        result = run_lifecycle(config, store=args.store, profile=profile)
    except KeyboardInterrupt:
        print(
            "harness: interrupted; run the same command again to resume where it stopped",
            file=sys.stderr,
        )
        return 130
    print(summary(config, result, args.store))
    from harness.report import write_report
    from harness.store import open_store, store_location

    with open_store(store_location(args.store)) as store:
        written = write_report(store, "md", args.report_dir)
    print(f"\nleaderboard report: {written}")
    return 0


def summary(config: LifecycleConfig, result: LifecycleResult, store: str) -> str:
    """The variants' table against their parents, the RL watch, and where the time went."""
    from harness.alignment import format_watch, watch_variant
    from harness.report.finetune import finetune_table, format_finetune_table

    start = result.variants["start"]
    extra = ((config.safety_suite, SAFETY_METRICS),) if config.safety_suite else ()
    rows = finetune_table(
        store,
        start.variant_id,
        summary_suite=config.summary_suite,
        knowledge_suite=config.knowledge_suite,
        extra_suites=extra,
    )
    # A reward model scores responses; it has no suite runs and gets its own line below.
    ours = {v.variant_id for v in result.variants.values() if v.kind != "reward-model"}
    rows = [row for row in rows if row.variant.variant_id in ours]
    parts = [format_finetune_table(rows, "parent")]
    for variant in result.variants.values():
        if variant.kind == "rlhf":
            parts.append(format_watch(watch_variant(store, variant.variant_id)))
        if variant.kind == "reward-model":
            accuracy = variant.details.get("heldout_accuracy")
            if isinstance(accuracy, int | float):
                parts.append(
                    f"reward model {variant.name}: held-out pairwise accuracy {accuracy:.3f}"
                )
    lines = ["time in this run (s; a resumed run skips what is done):"]
    for step in result.variants:
        trained = (
            "done earlier"
            if step in result.reused
            else f"{result.train_seconds.get(step, 0.0):.0f}"
        )
        lines.append(
            f"  {step:<14} train {trained:>12}   evaluate {result.eval_seconds.get(step, 0.0):8.0f}"
        )
    lines.append(f"  total {result.total_seconds:.0f} s ({result.total_seconds / 60:.1f} min)")
    parts.append("\n".join(lines))
    return "\n\n".join(parts)
