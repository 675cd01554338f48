"""Evaluate a registered variant on a suite unless an identical run is already stored.

Shared by the plans that evaluate many variants (``harness lifecycle``, the stages of
``harness train constitutional``), so a re-run never repeats a finished evaluation: runs
are matched by model, suite, tasks, limit and batch size; where the data lives is not
compared (resume checks each finished task's data hash instead), so moving the checkout
keeps reruns working, and a run that resume refuses is replaced by a new one.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from harness.models import LoadedModel
    from harness.registry import Variant
    from harness.runner import EvalOptions, EvalReport
    from harness.store import Location

Log = Callable[[str], None]


def evaluate_once(
    store: Location,
    variant: Variant,
    suite: str,
    *,
    tasks: list[str] | None,
    limit: int | None,
    batch_size: int,
    log: Log,
) -> None:
    """Evaluate ``variant`` on ``suite`` unless an identical run is stored; resume a broken one."""
    from harness.registry import load_variant
    from harness.runner import EvalOptions
    from harness.store import open_store, store_exists
    from harness.tasks import load_suite

    names = [c.task for c in load_suite(suite).select(tasks)]
    resume = None
    if store_exists(store):
        with open_store(store) as opened:
            for run in opened.list_runs():  # newest first
                same = (
                    run.model_hash == variant.weights_hash
                    and run.suite == suite
                    and run.config.get("tasks") == names
                    and run.config.get("limit") == limit
                    and run.config.get("batch_size") == batch_size
                )
                if not same:
                    continue
                if run.status == "complete":
                    log(f"  {variant.name} on {suite}: already evaluated (run {run.run_id})")
                    return
                resume = run.run_id
                break
    options = EvalOptions(
        model=variant.variant_id,
        suite=suite,
        tasks=tasks,
        limit=limit,
        store=store,
        batch_size=batch_size,
        resume=resume,
    )
    loaded = load_variant(store, variant.variant_id)
    import time

    clock = time.perf_counter()
    report = _run_or_resume(options, loaded, lambda line: log("  " + line))
    log(
        f"  {variant.name} on {suite}: run {report.run_id} "
        f"({time.perf_counter() - clock:.0f} s{', resumed' if resume else ''})"
    )


def _run_or_resume(options: EvalOptions, loaded: LoadedModel, log: Log) -> EvalReport:
    """Resume the unfinished run found; if it cannot be resumed (its finished tasks were
    computed from other data, task definitions or code), say why and start a new one."""
    from harness.runner import run_eval
    from harness.runner.resume import ResumeRefused

    try:
        return run_eval(options, model=loaded, log=log)
    except ResumeRefused as refused:
        if options.resume is None:
            raise
        log(f"not resuming: {refused}; starting a new run")
        return run_eval(dataclasses.replace(options, resume=None), model=loaded, log=log)
