"""``harness import lm-eval RESULTS.json [--samples DIR]``: another tool's results as a stored run.

The run then shows on the leaderboard and, with samples, can be gated against our own runs
of the same tasks item by item (:mod:`harness.runner.lm_eval_import` says how).
"""

from __future__ import annotations

import argparse
from pathlib import Path


def add_parsers(
    commands: argparse._SubParsersAction[argparse.ArgumentParser], default_store: str
) -> None:
    """Register ``import`` with its ``lm-eval`` source."""
    imports = commands.add_parser(
        "import", help="store another tool's results as a run: `import lm-eval RESULTS.json`"
    )
    sources = imports.add_subparsers(dest="import_source", metavar="SOURCE", required=True)
    lm_eval = sources.add_parser(
        "lm-eval",
        help="an lm-eval results_*.json (and its --log_samples files) as a run",
        description="Store an lm-eval results file as a run, with its provenance (model and "
        "model_args, lm-eval version, git hash, task configs, n-shot, task versions). With "
        "--samples, the per-item samples lm-eval wrote with --log_samples are stored too, so "
        "the run can be gated against item by item.",
    )
    lm_eval.add_argument("results", metavar="RESULTS.json", help="the results file lm-eval wrote")
    lm_eval.add_argument(
        "--samples",
        metavar="DIR",
        default=None,
        help="folder with lm-eval's samples_TASK_DATE.jsonl files (often RESULTS.json's folder)",
    )
    lm_eval.add_argument("--store", default=default_store)


def run(args: argparse.Namespace) -> int:
    """Read and check the whole import, then write it; print the new run's id."""
    from harness.runner.lm_eval_import import read_lm_eval_results, store_lm_eval_import
    from harness.store import open_store

    samples = Path(args.samples).expanduser() if args.samples else None
    imported = read_lm_eval_results(Path(args.results).expanduser(), samples)
    with open_store(args.store) as store:
        store_lm_eval_import(store, imported)
        location = store.location
    n_samples = sum(len(s) for s in imported.samples.values())
    print(
        f"imported {len(imported.tasks)} task(s)"
        + (f" with {n_samples:,} samples" if samples else "")
        + f" from {args.results} as run {imported.run.run_id} "
        f"(suite {imported.run.suite}, model {imported.model.spec}) into {location}"
    )
    return 0
