"""The ``harness`` command. Thin: parse, call the library, print.

Heavy modules (torch, transformers) are imported inside the commands that need them, so
``harness --help`` and the store commands start instantly.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from harness.cli.args import (
    Parser,
    check_device,
    name_list,
    non_negative_int,
    positive_int,
)
from harness.errors import HarnessError
from harness.paths import DEFAULT_MODEL, default_store

if TYPE_CHECKING:
    from harness.store import ScoreRecord, StoreLocation


def build_parser() -> argparse.ArgumentParser:
    store_default = default_store()  # read when the parser is built: $HARNESS_STORE
    parser = Parser(
        prog="harness", description="Evaluate, train and compare language-model variants."
    )
    from harness import __version__

    parser.add_argument("--version", action="version", version=f"harness-lab {__version__}")
    # Subcommand parsers are Parser too (argparse uses the parent's class), typed as the base.
    commands: argparse._SubParsersAction[argparse.ArgumentParser] = parser.add_subparsers(  # type: ignore[assignment]
        dest="command", required=True, metavar="COMMAND"
    )

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
        type=name_list,
        default=None,
        help="comma-separated task names, tags or globs of the suite",
    )
    ev.add_argument(
        "--lm-eval-tasks",
        type=name_list,
        default=None,
        metavar="NAMES",
        help="lm-eval task, group or tag names (e.g. boolq,arc_easy,mmlu), read from the "
        "installed lm-eval's task files instead of --suite",
    )
    ev.add_argument(
        "--lm-eval-include",
        action="append",
        default=[],
        metavar="DIR",
        help="a folder of your own lm-eval task files (repeatable)",
    )
    ev.add_argument(
        "--lm-eval-data-map",
        default=None,
        metavar="FILE",
        help="YAML mapping Hub dataset ids to local files under the data root "
        "(adds to suites/lm_eval_data.yaml)",
    )
    ev.add_argument(
        "--limit",
        type=positive_int,
        default=None,
        help="evaluate only the first N documents of each task",
    )
    ev.add_argument(
        "--shots",
        type=non_negative_int,
        default=None,
        help="override every task's number of few-shot examples",
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
    ev.add_argument(
        "--store",
        default=store_default,
        help="results store: SQLite file or postgresql+psycopg:// URL",
    )
    ev.add_argument("--dtype", default="float32", choices=["float32", "bfloat16", "float16"])
    ev.add_argument("--device", default="cpu", help="cpu, cuda, cuda:1, ...")
    ev.add_argument("--batch-size", type=positive_int, default=8)
    ev.add_argument(
        "--generation-rows",
        type=positive_int,
        default=None,
        metavar="N",
        help="rows of the continuous generation batch (hf backend; default 32); speed only",
    )
    ev.add_argument(
        "--resume",
        default=None,
        metavar="RUN",
        help="continue a failed run, skipping its finished tasks",
    )
    ev.add_argument("--no-progress", action="store_true", help="no progress bars")
    judged = ev.add_argument_group("LLM judge (tasks with judge:, metrics judge_rubric/pairwise)")
    judged.add_argument(
        "--judge-model",
        default=None,
        metavar="MODEL",
        help="the judge instead of each task's judge.model (default: the evaluated model "
        "judges itself); a model source or variant, or a served id with the task's judge.base_urls",
    )
    judged.add_argument(
        "--judge-baseline",
        default=None,
        metavar="MODEL",
        help="whose generations judge_pairwise compares with, instead of each task's "
        "judge.baseline (run like --model)",
    )
    from harness.backends.registry import backend_names

    served = ev.add_argument_group("served models (--backend openai)")
    served.add_argument(
        "--backend",
        default="hf",
        choices=backend_names(),
        help="hf: load the weights in this process (default); openai: an OpenAI-compatible "
        "server (vLLM, llama.cpp, ...) at --base-url",
    )
    served.add_argument(
        "--base-url",
        dest="base_urls",
        action="append",
        default=[],
        metavar="URL",
        help="the server's OpenAI root, e.g. http://127.0.0.1:8000/v1; repeat for several "
        "replicas (requests go to the least loaded; a failing one is dropped)",
    )
    served.add_argument(
        "--api-key-env",
        default=None,
        metavar="VAR",
        help="environment variable holding the API key (never stored or printed)",
    )
    served.add_argument(
        "--tokenizer",
        default=None,
        help="the served model's tokenizer (folder, packaged name or Hub id): token-id "
        "prompts where the server takes them, and lm-eval's rolling windows",
    )
    served.add_argument(
        "--concurrency",
        type=positive_int,
        default=4,
        help="requests in flight per endpoint (default 4)",
    )

    replicas = ev.add_argument_group("data parallel on Ray (pip install 'harness-lab[ray]')")
    replicas.add_argument(
        "--ray",
        default=None,
        metavar="auto|ADDRESS",
        help="run the backend as Ray actors: auto (the running cluster, else one on this "
        "machine) or a head's HOST:PORT",
    )
    replicas.add_argument(
        "--replicas",
        type=positive_int,
        default=1,
        metavar="N",
        help="actors under --ray, each loading the model once (one GPU each with --device "
        "cuda, else one CPU)",
    )

    runs = commands.add_parser("runs", help="list stored runs, newest first")
    runs.add_argument("--store", default=store_default)
    runs.add_argument("--limit", type=positive_int, default=20, help="at most N runs")

    show = commands.add_parser("show", help="print a stored run's scores")
    show.add_argument("run", help="run id or a unique prefix of it")
    show.add_argument("--store", default=store_default)

    modes = commands.add_parser(
        "modes",
        help="tasks of one run over the same documents (PAL vs CoT vs answer-only, RAG), "
        "paired by document against the first",
    )
    modes.add_argument("run", help="run id or a unique prefix of it")
    modes.add_argument("--metric", default=None, help="default: the first metric all share")
    modes.add_argument("--store", default=store_default)

    export = commands.add_parser("export", help="write a stored run in another tool's format")
    export.add_argument("run", help="run id or a unique prefix of it")
    export.add_argument("--format", default="lm-eval", choices=["lm-eval"])
    export.add_argument("--out", default=None, help="output file (default: stdout)")
    export.add_argument("--store", default=store_default)

    from harness.cli import gate

    gate.add_parsers(commands, store_default)

    from harness.cli import dashboard

    dashboard.add_parsers(commands, store_default)

    from harness.cli import train

    train.add_parsers(commands, store_default)

    from harness.cli import lifecycle

    lifecycle.add_parsers(commands, store_default)

    from harness.cli import variants

    variants.add_parsers(commands, store_default)

    from harness.cli import models_cmd

    models_cmd.add_parsers(commands, store_default)

    from harness.cli import store_cmd

    store_cmd.add_parsers(commands, store_default)

    from harness.cli import import_cmd

    import_cmd.add_parsers(commands, store_default)
    commands.add_parser("suites", help="list suites")
    tasks = commands.add_parser("tasks", help="list the tasks of a suite")
    tasks.add_argument("suite")
    return parser


SIGPIPE_EXIT = 141  # 128 + SIGPIPE, what a shell reports for a writer whose reader left


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; returns its exit code (2 for a usage or input mistake)."""
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exit_:  # argparse: a usage error (2), or --help / --version (0)
        return exit_.code if isinstance(exit_.code, int) else 2
    try:
        code = _dispatch(args)
        sys.stdout.flush()  # a closed pipe shows up here, not at interpreter exit
        return code
    except HarnessError as exc:
        print(f"harness: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except BrokenPipeError:
        return _reader_left()
    except KeyboardInterrupt:
        print(
            "harness: interrupted; finished tasks are stored (resume with --resume RUN)",
            file=sys.stderr,
        )
        return 130
    except OSError as exc:
        if exc.filename is None:
            raise  # not about a path the user gave: a bug, keep the traceback
        print(
            f"harness: error: {exc.filename}: {exc.strerror or exc}; check the path",
            file=sys.stderr,
        )
        return 2


def _reader_left() -> int:
    """``harness tasks mmlu | head``: end quietly when the reader closes the pipe.

    Python's documented recipe: point stdout at devnull so the final flush at exit cannot
    fail again, and report the pipe's usual exit status.
    """
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass  # stdout is not a real file (captured in tests): nothing is left to flush
    return SIGPIPE_EXIT


def _dispatch(args: argparse.Namespace) -> int:
    if getattr(args, "store", None) is not None:
        from harness.store import check_store

        # Every command that names a store: refuse a file that is not ours before any
        # command opens it (SQLite would otherwise write a schema or journal into it).
        check_store(args.store)
    if args.command == "eval":
        return _eval(args)
    if args.command == "runs":
        return _runs(args)
    if args.command == "show":
        return _show(args)
    if args.command == "modes":
        return _modes(args)
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
    if args.command == "import":
        from harness.cli import import_cmd

        return import_cmd.run(args)
    if args.command == "store":
        from harness.cli import store_cmd

        return store_cmd.run(args)
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


def _existing_store(location: str) -> StoreLocation:
    """Read commands must not create an empty store as a side effect of a typo."""
    from harness.store import existing_store

    return existing_store(location)


def _check_eval_inputs(args: argparse.Namespace) -> None:
    """What can be checked before a model loads or the store is opened: fail in a second."""
    from harness.store import check_store, existing_store
    from harness.tasks import load_suite

    check_store(args.store)
    if args.lm_eval_tasks:
        from harness.tasks.lm_eval_index import select_lm_eval_tasks

        select_lm_eval_tasks(args.lm_eval_tasks, [Path(p) for p in args.lm_eval_include])
    else:
        load_suite(args.suite).select(args.tasks)
    if args.data_dir is not None and not Path(args.data_dir).expanduser().is_dir():
        raise HarnessError(f"--data-dir {args.data_dir} is not a folder; pass the data root")
    if args.ray is None:  # under --ray the device is the replicas' machines', checked there
        check_device(args.device)
    if args.resume is not None:
        from harness.store import open_store

        with open_store(existing_store(args.store)) as store:
            store.get_run(args.resume)


def _eval(args: argparse.Namespace) -> int:
    from harness.backends.generation_config import parse_generation_overrides

    gen = parse_generation_overrides(args.gen)  # before the model loads: a typo fails fast
    _check_eval_inputs(args)
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
        generation_rows=args.generation_rows,
        resume=args.resume,
        progress=not args.no_progress,
        backend=args.backend,
        base_urls=args.base_urls,
        api_key_env=args.api_key_env,
        tokenizer=args.tokenizer,
        concurrency=args.concurrency,
        ray=args.ray,
        replicas=args.replicas,
        lm_eval_tasks=args.lm_eval_tasks,
        lm_eval_include=args.lm_eval_include,
        lm_eval_data_map=args.lm_eval_data_map,
        judge_model=args.judge_model,
        judge_baseline=args.judge_baseline,
    )
    report = run_eval(options, log=lambda line: print(line, file=sys.stderr))
    with open_store(report.store_location) as store:
        scores = store.get_scores(report.run_id)
    print(format_scores(scores))
    _print_helm_families(scores)
    rate = report.tokens_processed / max(report.wall_time_s, 1e-9)
    print(
        f"\nrun {report.run_id} stored in {report.store_location} "
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


def _modes(args: argparse.Namespace) -> int:
    from harness.compare.modes import mode_groups
    from harness.report.modes_table import format_modes
    from harness.store import open_store

    with open_store(_existing_store(args.store)) as store:
        run = store.get_run(args.run)
        samples = {t: store.get_samples(run.run_id, t) for t in run.config.get("tasks", [])}
    print(f"run {run.run_id}  suite {run.suite}  model {run.model_spec}\n")
    print(format_modes(mode_groups(samples, args.metric)))
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
        out = Path(args.out).expanduser()
        if out.is_dir():
            raise HarnessError(
                f"--out {out} is a folder; pass a file path such as {out}/results.json"
            )
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text + "\n")
        print(f"wrote {args.out}")
    else:
        print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
