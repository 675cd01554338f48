"""The ``harness`` command. Thin: parse, call the library, print.

Heavy modules (torch, transformers) are imported inside the commands that need them, so
``harness --help`` and the store commands start instantly.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from harness.errors import HarnessError
from harness.paths import DEFAULT_MODEL, DEFAULT_STORE

if TYPE_CHECKING:
    from harness.store import ScoreRecord


def _csv(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="harness", description="Evaluate, train and compare language-model variants."
    )
    from harness import __version__

    parser.add_argument("--version", action="version", version=f"harness-lab {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    ev = commands.add_parser("eval", help="evaluate a model on a suite and store the results")
    ev.add_argument(
        "--model",
        default=DEFAULT_MODEL,
        help="registry name, .gguf file, model folder, Hub id, or variant id/name",
    )
    ev.add_argument(
        "--suite", default="mmlu", help="suite name (see `harness suites`) or a suite YAML file"
    )
    ev.add_argument(
        "--tasks",
        type=_csv,
        default=None,
        help="comma-separated task names, tags or globs of the suite",
    )
    ev.add_argument(
        "--limit", type=int, default=None, help="evaluate only the first N documents of each task"
    )
    ev.add_argument(
        "--shots", type=int, default=None, help="override every task's number of few-shot examples"
    )
    ev.add_argument(
        "--gen",
        default="",
        help="generation overrides, e.g. max_new_tokens=64,temperature=0.7,do_sample=true",
    )
    ev.add_argument("--chat", action="store_true", help="wrap prompts in the model's chat template")
    ev.add_argument(
        "--data-dir",
        default=None,
        help="data root (default: $HARNESS_DATA_DIR, then ../shared/data, then the Hub)",
    )
    ev.add_argument("--store", default=DEFAULT_STORE, help="results store (SQLite file)")
    ev.add_argument("--dtype", default="float32", choices=["float32", "bfloat16", "float16"])
    ev.add_argument("--device", default="cpu", help="cpu, cuda, cuda:1, ...")
    ev.add_argument("--batch-size", type=int, default=8)
    ev.add_argument(
        "--resume",
        default=None,
        metavar="RUN",
        help="continue a failed run, skipping its finished tasks",
    )
    ev.add_argument("--no-progress", action="store_true", help="no progress bars")

    runs = commands.add_parser("runs", help="list stored runs, newest first")
    runs.add_argument("--store", default=DEFAULT_STORE)
    runs.add_argument("--limit", type=int, default=20)

    show = commands.add_parser("show", help="print a stored run's scores")
    show.add_argument("run", help="run id or a unique prefix of it")
    show.add_argument("--store", default=DEFAULT_STORE)

    export = commands.add_parser("export", help="write a stored run in another tool's format")
    export.add_argument("run", help="run id or a unique prefix of it")
    export.add_argument("--format", default="lm-eval", choices=["lm-eval"])
    export.add_argument("--out", default=None, help="output file (default: stdout)")
    export.add_argument("--store", default=DEFAULT_STORE)

    from harness.cli import gate

    gate.add_parsers(commands, DEFAULT_STORE)

    from harness.cli import dashboard

    dashboard.add_parsers(commands, DEFAULT_STORE)

    from harness.cli import train

    train.add_parsers(commands, DEFAULT_STORE)

    from harness.cli import lifecycle

    lifecycle.add_parsers(commands, DEFAULT_STORE)

    from harness.cli import variants

    variants.add_parsers(commands, DEFAULT_STORE)

    from harness.cli import models_cmd

    models_cmd.add_parsers(commands, DEFAULT_STORE)
    commands.add_parser("suites", help="list suites")
    tasks = commands.add_parser("tasks", help="list the tasks of a suite")
    tasks.add_argument("suite")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return _dispatch(args)
    except HarnessError as exc:
        print(f"harness: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print(
            "harness: interrupted; finished tasks are stored (resume with --resume RUN)",
            file=sys.stderr,
        )
        return 130


def _dispatch(args: argparse.Namespace) -> int:
    if args.command == "eval":
        return _eval(args)
    if args.command == "runs":
        return _runs(args)
    if args.command == "show":
        return _show(args)
    if args.command in ("compare", "gate"):
        from harness.cli import gate

        return gate.run(args)
    if args.command in ("dashboard", "report"):
        from harness.cli import dashboard

        return dashboard.run(args)
    if args.command in ("variants", "lineage", "memory"):
        from harness.cli import variants

        return variants.run(args)
    if args.command == "train":
        from harness.cli import train

        return train.run(args)
    if args.command == "lifecycle":
        from harness.cli import lifecycle

        return lifecycle.run(args)
    if args.command == "export":
        return _export(args)
    if args.command == "models" and args.models_command is not None:
        from harness.cli import models_cmd

        return models_cmd.run(args)
    if args.command == "models":
        from harness.models.packaged import PACKAGED_MODELS

        for entry in PACKAGED_MODELS.values():
            print(f"{entry.name}\t{entry.display_name} (package {entry.distribution})")
        print(
            "tiny-random-llama\ttiny random Llama for tests (options: :seed=0,layers=2,hidden=64,tied=true)"
        )
        print("also: a .gguf file, a Hugging Face model folder, or a Hub id (org/name)")
        return 0
    if args.command == "suites":
        from harness.tasks import available_suites, load_suite

        for name in available_suites():
            suite = load_suite(name)
            print(f"{name}\t{len(suite.tasks)} tasks\t{suite.config.description}")
        return 0
    if args.command == "tasks":
        from harness.tasks import load_suite

        for task in load_suite(args.suite).tasks:
            print(
                f"{task.task}\t{task.output_type}\t{task.num_fewshot}-shot\t{','.join(task.metric_list)}"
            )
        return 0
    raise AssertionError(args.command)  # argparse only allows the commands above


def _existing_store(location: str) -> Path:
    """Read commands must not create an empty store as a side effect of a typo."""
    from harness.store import store_path

    path = store_path(location)
    if not path.is_file():
        raise HarnessError(f"no store at {path}; run `harness eval` first or pass --store")
    return path


def _eval(args: argparse.Namespace) -> int:
    from harness.backends.generation_config import parse_generation_overrides

    gen = parse_generation_overrides(args.gen)  # before the model loads: a typo fails fast
    from harness.report.run_tables import format_scores
    from harness.runner import EvalOptions, run_eval
    from harness.store import open_store

    options = EvalOptions(
        model=args.model,
        suite=args.suite,
        tasks=args.tasks,
        limit=args.limit,
        shots=args.shots,
        gen=gen,
        chat=args.chat,
        data_dir=args.data_dir,
        store=args.store,
        dtype=args.dtype,
        device=args.device,
        batch_size=args.batch_size,
        resume=args.resume,
        progress=not args.no_progress,
    )
    report = run_eval(options, log=lambda line: print(line, file=sys.stderr))
    with open_store(report.store_path) as store:
        scores = store.get_scores(report.run_id)
    print(format_scores(scores))
    _print_helm_families(scores)
    rate = report.tokens_processed / max(report.wall_time_s, 1e-9)
    print(
        f"\nrun {report.run_id} stored in {report.store_path} "
        f"({report.wall_time_s:.1f} s, {report.tokens_processed:,} tokens, {rate:,.0f} tok/s)"
    )
    return 0


def _runs(args: argparse.Namespace) -> int:
    from harness.report.run_tables import format_runs
    from harness.store import open_store

    with open_store(_existing_store(args.store)) as store:
        runs = store.list_runs(limit=args.limit)
        leases = store.list_leases()
    print(
        format_runs(runs, leases) if runs else "no runs stored yet; start one with `harness eval`"
    )
    return 0


def _show(args: argparse.Namespace) -> int:
    from harness.report.run_tables import format_scores, shown_status
    from harness.store import open_store

    with open_store(_existing_store(args.store)) as store:
        run = store.get_run(args.run)
        scores = store.get_scores(run.run_id)
        model = store.get_model(run.model_hash)
        status = shown_status(run, store.get_lease(run.run_id))
    print(
        f"run {run.run_id}  {status}  suite {run.suite}  model {run.model_spec}"
        f" ({model.name if model else '?'}, weights {run.model_hash[:12]})"
    )
    print(
        f"created {run.created_at:%Y-%m-%d %H:%M:%S} UTC  harness {run.harness_version}  commit {run.git_commit}"
        f"  device {run.device}  dtype {run.dtype}"
    )
    if run.error:
        print(f"error: {run.error}")
    print()
    print(format_scores(scores) if scores else "no scores stored for this run")
    _print_helm_families(scores)
    return 0


def _print_helm_families(scores: list[ScoreRecord]) -> None:
    """HELM's seven families side by side, for runs of tasks with perturbed copies."""
    from harness.report.run_tables import format_helm_families

    table = format_helm_families(scores)
    if table:
        print(f"\nHELM families\n{table}")


def _export(args: argparse.Namespace) -> int:
    from harness.cli.export import lm_eval_results
    from harness.store import open_store

    with open_store(_existing_store(args.store)) as store:
        payload = lm_eval_results(store, args.run)
    text = json.dumps(payload, indent=2, default=str)
    if args.out:
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.out).write_text(text + "\n")
        print(f"wrote {args.out}")
    else:
        print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
