"""``harness dashboard`` (the Streamlit leaderboard) and ``harness report`` (static files).

The dashboard lives in ``dashboard/app.py`` beside the package (it is an app, not library
code), so the command finds it relative to an editable or source checkout.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from harness.cli.args import non_negative_float, port, share
from harness.errors import HarnessError

APP = Path(__file__).resolve().parents[2] / "dashboard" / "app.py"


def add_parsers(
    commands: argparse._SubParsersAction[argparse.ArgumentParser], default_store: str
) -> None:
    """Register ``dashboard`` and ``report`` on the main parser's subcommands."""
    dash = commands.add_parser("dashboard", help="open the Streamlit leaderboard over the store")
    dash.add_argument(
        "--store",
        default=default_store,
        help="results store: SQLite file or postgresql+psycopg:// URL",
    )
    dash.add_argument("--port", type=port, default=8501)
    dash.add_argument("--host", default="localhost", help="address to listen on")
    report = commands.add_parser(
        "report", help="write the leaderboard and lineage as a static Markdown/HTML report"
    )
    report.add_argument(
        "--store",
        default=default_store,
        help="results store: SQLite file or postgresql+psycopg:// URL",
    )
    report.add_argument("--format", default="html", choices=["md", "html"])
    report.add_argument("--out", default="reports", help="output folder (default: reports/)")
    report.add_argument(
        "what",
        nargs="?",
        default="leaderboard",
        choices=["leaderboard", "finetune", "rl-watch", "constitutional"],
        help="leaderboard (default, a file); finetune: a lineage's ROUGE gains and MMLU "
        "forgetting with paired CIs, printed; rl-watch: the reward-hacking watch of an RL "
        "variant (reward vs KL vs DialogSum ROUGE against its parent); constitutional: each "
        "Constitutional AI stage against its parent (toxicity, judge, ROUGE-1, MMLU) and "
        "example critique chains",
    )
    report.add_argument(
        "--variant",
        default=None,
        help="finetune: any variant of the lineage; rl-watch: the RL one; constitutional: "
        "either stage",
    )
    report.add_argument(
        "--max-kl", type=non_negative_float, default=0.5, help="rl-watch: KL limit (nats/token)"
    )
    report.add_argument(
        "--max-quality-drop",
        type=non_negative_float,
        default=0.02,
        help="rl-watch: ROUGE-1 drop limit",
    )
    report.add_argument(
        "--max-degenerate", type=share, default=0.2, help="rl-watch: degenerate-output share limit"
    )
    report.add_argument("--summary-suite", default="dialogsum", help="finetune: ROUGE suite")
    report.add_argument("--knowledge-suite", default="mmlu", help="finetune: forgetting suite")
    report.add_argument(
        "--against",
        default="parent",
        help="finetune: baseline, parent (default), root, or a variant id or name",
    )


def run(args: argparse.Namespace) -> int:
    """Dispatch ``dashboard`` or ``report``."""
    if args.command == "dashboard":
        return _dashboard(args)
    return _report(args)


def streamlit_command(port: int, host: str) -> list[str]:
    """The ``streamlit run`` command line for the app on ``host:port``.

    The store is not on it: the app reads ``$HARNESS_STORE``, so a database password never
    shows in the process list.
    """
    return [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(APP),
        "--server.port",
        str(port),
        "--server.address",
        host,
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
    ]


def _dashboard(args: argparse.Namespace) -> int:
    from harness.store import existing_store

    if not APP.is_file():
        raise HarnessError(
            f"dashboard app not found at {APP}; run `harness dashboard` from a source checkout "
            "(pip install -e .)"
        )
    store = existing_store(args.store)  # the app only reads; it never creates one
    print(f"dashboard on http://{args.host}:{args.port} over {store} (Ctrl+C stops it)")
    sys.stdout.flush()
    command = streamlit_command(args.port, args.host)
    # Become the server rather than wrap it, so a signal that stops `harness dashboard`
    # stops Streamlit too instead of leaving it orphaned and holding the port.
    os.execve(command[0], command, {**os.environ, "HARNESS_STORE": store.for_child_process()})
    return 0  # not reached


def _report(args: argparse.Namespace) -> int:
    if getattr(args, "what", "leaderboard") == "rl-watch":
        return _rl_watch(args)
    if getattr(args, "what", "leaderboard") == "constitutional":
        return _constitutional(args)
    if getattr(args, "what", "leaderboard") == "finetune":
        from harness.cli.variants import finetune_report

        return finetune_report(args)
    from harness.report import write_report
    from harness.store import existing_store, open_store

    path = existing_store(args.store)
    out = Path(args.out).expanduser()
    if out.exists() and not out.is_dir():
        raise HarnessError(
            f"--out {out} is a file; pass a folder for the report (default reports/)"
        )
    with open_store(path) as store:
        written = write_report(store, args.format, args.out)
    print(f"wrote {written} ({written.stat().st_size:,} bytes)")
    return 0


def _rl_watch(args: argparse.Namespace) -> int:
    """``harness report rl-watch --variant V``: print the watch; exit 1 when flagged."""
    from harness.alignment import WatchLimits, format_watch, watch_variant
    from harness.store import existing_store

    if not args.variant:
        raise HarnessError(
            "report rl-watch needs --variant (an rl-detox variant; see `harness variants`)"
        )
    existing_store(args.store)
    limits = WatchLimits(
        max_kl=args.max_kl,
        max_quality_drop=args.max_quality_drop,
        max_degenerate_share=args.max_degenerate,
    )
    report = watch_variant(
        args.store, args.variant, limits=limits, summary_suite=args.summary_suite
    )
    print(format_watch(report))
    return 1 if report.hacked else 0


def _constitutional(args: argparse.Namespace) -> int:
    """``harness report constitutional --variant V``: the stage table and example chains."""
    from harness.report.constitutional import constitutional_report, format_constitutional
    from harness.store import existing_store

    if not args.variant:
        raise HarnessError(
            "report constitutional needs --variant (a stage `harness train constitutional` "
            "registered; see `harness variants`)"
        )
    existing_store(args.store)
    print(format_constitutional(constitutional_report(args.store, args.variant)))
    return 0
