"""``harness store copy SRC DST``: merge a store's finished runs into another store.

The usual use: runs made on a laptop or a CI runner (an SQLite file) go into the team's shared
PostgreSQL store, so they show on the one leaderboard and can be gated against.
"""

from __future__ import annotations

import argparse


def add_parsers(
    commands: argparse._SubParsersAction[argparse.ArgumentParser], default_store: str
) -> None:
    """Register ``store`` with its ``copy`` action."""
    store = commands.add_parser("store", help="work on whole stores: `store copy SRC DST`")
    actions = store.add_subparsers(dest="store_command", metavar="ACTION", required=True)
    copy = actions.add_parser(
        "copy",
        help="copy finished runs, variants and gate decisions that DST lacks from SRC",
        description="Copy finished runs (with samples, scores, attempts), variants and gate "
        "decisions from SRC into DST, skipping what DST already holds; runs still in progress "
        "are left out. Either side may be an SQLite file or a postgresql+psycopg:// URL; DST "
        "is created if it does not exist.",
    )
    copy.add_argument("source", metavar="SRC", help="store to copy from (it is only read)")
    copy.add_argument("target", metavar="DST", help="store to copy into")
    copy.add_argument("--no-progress", action="store_true", help="no progress bar")


def run(args: argparse.Namespace) -> int:
    """Copy, then print what was copied and what was left out and why."""
    from tqdm import tqdm

    from harness.errors import HarnessError
    from harness.store import check_store, open_store
    from harness.store.copy import copy_store, count_runs

    source_at, target_at = check_store(args.source), check_store(args.target)
    if source_at.key == target_at.key or (
        source_at.path is not None
        and target_at.path is not None
        and source_at.path.resolve() == target_at.path.resolve()
    ):
        raise HarnessError(f"SRC and DST are the same store ({source_at}); name two stores")
    with (
        open_store(source_at, read_only=True) as source,
        open_store(target_at) as target,
        tqdm(
            total=count_runs(source), desc="copying runs", unit="run", disable=args.no_progress
        ) as bar,
    ):
        report = copy_store(source, target, on_run=lambda _: bar.update())
    print(
        f"copied {report.runs} run(s) ({report.samples:,} samples, {report.scores:,} scores), "
        f"{report.variants} variant(s), {report.gate_decisions} gate decision(s) "
        f"from {source_at} to {target_at}"
    )
    present = (report.runs_present, report.variants_present, report.gate_decisions_present)
    if any(present):
        print(
            f"already in {target_at}: {present[0]} run(s), {present[1]} variant(s), "
            f"{present[2]} gate decision(s)"
        )
    if report.runs_in_progress:
        print(
            f"left out {len(report.runs_in_progress)} run(s) still in progress "
            f"({', '.join(r[:8] for r in report.runs_in_progress[:5])}); copy again once they end"
        )
    if report.run_id_clashes:
        print(
            "left out run(s) whose id DST gives to a different run: "
            + ", ".join(report.run_id_clashes[:5])
        )
    if report.variant_name_clashes:
        print(
            "left out variant(s) whose name DST gives to other weights: "
            + ", ".join(report.variant_name_clashes[:5])
        )
    return 0
