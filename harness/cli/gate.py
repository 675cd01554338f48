"""``harness gate`` and ``harness compare``: two stored runs, paired, judged against margins.

``gate`` exits 0 (pass), 1 (regress) or 3 (inconclusive, unless ``--policy warn``) and
stores its decision; ``compare`` only prints the table. Both resolve each side as a run id
(or prefix) or a model spec meaning that model's latest complete run on ``--suite``.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from harness.cli.args import non_negative_int, overlap
from harness.errors import HarnessError, did_you_mean

if TYPE_CHECKING:
    from harness.store import RunRecord, Store


def add_parsers(
    commands: argparse._SubParsersAction[argparse.ArgumentParser], default_store: str
) -> None:
    """Register ``compare`` and ``gate`` on the main parser's subcommands."""
    compare = commands.add_parser(
        "compare", help="paired comparison of two stored runs (table only)"
    )
    _common(compare, default_store)
    gate = commands.add_parser(
        "gate", help="fail CI when a candidate run regresses against a baseline run"
    )
    _common(gate, default_store)
    gate.add_argument(
        "--policy",
        default="fail-on-inconclusive",
        choices=["fail-on-inconclusive", "warn"],
        help="inconclusive exits 3 (default) or 0 with a warning",
    )
    gate.add_argument("--junit", default=None, metavar="FILE", help="write a JUnit XML report")
    gate.add_argument("--json", default=None, metavar="FILE", help="write the comparison as JSON")


def _common(parser: argparse.ArgumentParser, default_store: str) -> None:
    parser.add_argument(
        "--baseline", required=True, metavar="RUN|VARIANT", help="run id (prefix) or model spec"
    )
    parser.add_argument(
        "--candidate", required=True, metavar="RUN|VARIANT", help="run id (prefix) or model spec"
    )
    parser.add_argument(
        "--suite", default=None, help="suite whose latest run a model spec stands for"
    )
    parser.add_argument(
        "--margin",
        action="append",
        default=[],
        metavar="METRIC=VALUE",
        help="allowed drop, e.g. acc=0.01 or mmlu.acc=0.01 or dialogsum_0shot.rouge1=0.02"
        " (repeatable; default 0)",
    )
    parser.add_argument(
        "--min-overlap",
        type=overlap,
        default=0.8,
        help="least share of items both runs must have in common (default 0.8)",
    )
    parser.add_argument(
        "--seed", type=non_negative_int, default=0, help="bootstrap and permutation seed"
    )
    parser.add_argument("--all", action="store_true", help="show every per-task row")
    parser.add_argument(
        "--store",
        default=default_store,
        help="results store: SQLite file or postgresql+psycopg:// URL",
    )


def run(args: argparse.Namespace) -> int:
    """Compare (and for ``gate``, judge and record) the two runs named on the command line."""
    from harness.compare import (
        CompareSettings,
        compare_runs,
        exit_code,
        parse_margins,
        record_decision,
    )
    from harness.compare.reports import write_json
    from harness.report.comparison_table import format_comparison
    from harness.report.junit import write_junit
    from harness.store import existing_store, open_store

    margins = parse_margins(args.margin)
    for flag in ("junit", "json"):
        target = getattr(args, flag, None)
        if target is not None and Path(target).expanduser().is_dir():
            raise HarnessError(f"--{flag} {target} is a folder; pass a file path")
    path = existing_store(args.store)
    with open_store(path) as store:
        baseline, candidate = _resolve_pair(store, args)
        _check_margins(margins, store, baseline, candidate)
        comparison = compare_runs(
            store,
            baseline,
            candidate,
            margins=margins,
            min_overlap=args.min_overlap,
            settings=CompareSettings(seed=args.seed),
        )
        print(format_comparison(comparison, all_rows=args.all))
        if args.command == "compare":
            return 0
        decision_id = record_decision(store, comparison, args.policy)
    if args.junit:
        write_junit(args.junit, comparison, args.policy)
    if args.json:
        write_json(args.json, comparison, args.policy)
    code = exit_code(comparison.verdict, args.policy)
    if comparison.verdict == "inconclusive":
        advice = "exit 0 under --policy warn" if code == 0 else "exit 3"
        print(f"inconclusive: the interval straddles the margin; evaluate more items ({advice})")
    print(f"decision {decision_id} stored in {path}")
    return code


def _resolve_pair(store: Store, args: argparse.Namespace) -> tuple[RunRecord, RunRecord]:
    """(baseline, candidate). A run id side is resolved first, so that a model spec on the
    other side picks that model's run with the same items (and never the same run)."""
    from harness.compare import resolve_run

    sides = ["candidate", "baseline"]  # the newest run is the candidate, an older one its baseline
    if _is_model_spec(store, args.candidate) and not _is_model_spec(store, args.baseline):
        sides.reverse()
    runs: dict[str, RunRecord] = {}
    for side in sides:
        other = next(iter(runs.values()), None)
        runs[side] = resolve_run(
            store,
            getattr(args, side),
            suite=args.suite if args.suite is not None else (other.suite if other else None),
            like=other.config if other else None,
            exclude=other.run_id if other else None,
        )
    return runs["baseline"], runs["candidate"]


def _check_margins(
    margins: dict[str, float], store: Store, baseline: RunRecord, candidate: RunRecord
) -> None:
    """A margin on a metric neither run has is a typo that would silently mean margin 0."""
    scores = [*store.get_scores(baseline.run_id), *store.get_scores(candidate.run_id)]
    metrics = {s.metric for s in scores}
    names = {s.name for s in scores}
    for key in margins:
        name, _, metric = key.rpartition(".")
        if metric not in metrics:
            raise HarnessError(
                f"--margin {key}: neither run has metric '{metric}'"
                f"{did_you_mean(metric, metrics)}; known: {', '.join(sorted(metrics))}"
            )
        if name and name not in names:
            raise HarnessError(
                f"--margin {key}: neither run has a task or suite '{name}'"
                f"{did_you_mean(name, names)}; known: {', '.join(sorted(names))}"
            )


def _is_model_spec(store: Store, text: str) -> bool:
    return any(r.model_spec == text.strip() for r in store.list_runs())
