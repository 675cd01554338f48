"""What must hold before a run is resumed, so the finished tasks and the new ones agree.

A resumed run mixes tasks computed by two processes, maybe days apart; its scores mean
something only if both used the same suite, model, options, task definitions, data and
harness code. Where the data lives is not part of that: the data hash of every finished
task is compared instead, so moving the checkout (or the data) does not block a resume.
"""

from __future__ import annotations

from typing import Any

from harness.errors import HarnessError
from harness.runner.provenance import harness_version
from harness.store import Location, RunRecord, Store, open_store, store_exists

# Config keys that say where things are, not what was computed.
LOCATION_KEYS = frozenset({"data_root"})


class ResumeRefused(HarnessError):
    """The run cannot be continued with what is given now; a new run can be started."""


def complete_run(location: Location, run_spec: str) -> RunRecord | None:
    """The run named by ``run_spec`` if it is complete (read only, nothing written), else None."""
    if not store_exists(location):
        return None
    with open_store(location) as store:
        run = store.get_run(run_spec)
    return run if run.status == "complete" else None


def comparable_config(config: dict[str, Any]) -> dict[str, Any]:
    """A run's options without the ones that only say where things live."""
    return {key: value for key, value in config.items() if key not in LOCATION_KEYS}


def check_resumable(
    store: Store,
    run: RunRecord,
    *,
    suite_hash: str,
    model_hash: str,
    config: dict[str, Any],
    tasks: dict[str, tuple[str, str]],
) -> None:
    """Refuse, in one line naming what differs, a resume that would mix two evaluations.

    ``tasks`` maps each task of the suite now to its (task hash, data hash).
    """
    rid = run.run_id
    if run.model_hash != model_hash:
        raise ResumeRefused(
            f"run {rid} evaluated other weights ({run.model_spec}); resume with the same --model"
        )
    then, now = comparable_config(run.config), comparable_config(config)
    if then != now:
        key = next(k for k in sorted(then.keys() | now.keys()) if then.get(k) != now.get(k))
        raise ResumeRefused(
            f"run {rid} was started with other options ({key}: {then.get(key)!r} then, "
            f"{now.get(key)!r} now); resume with the same flags"
        )
    version = harness_version()
    for result in store.get_task_results(rid):
        where = f"run {rid}: finished task '{result.task}'"
        if run.harness_version != version:
            raise ResumeRefused(
                f"{where} was evaluated by harness {run.harness_version}, this is {version}; "
                "start a new run (without --resume)"
            )
        current = tasks.get(result.task)
        if current is None:
            raise ResumeRefused(f"{where} is not in the suite any more; start a new run")
        task_hash, data_hash = current
        if result.task_hash != task_hash:
            raise ResumeRefused(
                f"{where} was evaluated with another task definition (task hash "
                f"{result.task_hash[:12]}, now {task_hash[:12]}); start a new run"
            )
        if result.data_hash != data_hash:
            raise ResumeRefused(
                f"{where} was evaluated on other data (data hash {result.data_hash[:12]}, "
                f"now {data_hash[:12]}); start a new run"
            )
    if run.suite_hash != suite_hash:  # after the per-task checks, which name what changed
        raise ResumeRefused(
            f"run {rid} used another version of suite '{run.suite}'; resume with the same "
            "--suite, or start a new run"
        )
