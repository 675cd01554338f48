"""Turn what the user typed for --baseline/--candidate into a stored run.

Either a run id (or a unique prefix of one), or a model spec standing for the latest
complete run of that model on the suite (the variant registry will add variant ids here).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from harness.errors import HarnessError
from harness.store import RunRecord, Store

# Run options that change which items a run contains; runs agreeing on them pair fully.
_ITEM_OPTIONS = ("tasks", "limit", "num_fewshot", "chat", "generation_overrides")


def resolve_run(
    store: Store,
    wanted: str,
    *,
    suite: str | None,
    like: Mapping[str, Any] | None = None,
    exclude: str | None = None,
) -> RunRecord:
    """The run named by ``wanted``: a model spec (latest complete run on ``suite``) or run id.

    For a model spec, runs whose item options (tasks, limit, shots, chat, generation)
    equal ``like`` are preferred, so the chosen run pairs with the other side's items;
    ``exclude`` skips one run id (a run is never its own baseline by accident).
    """
    text = wanted.strip()
    runs = [r for r in store.list_runs() if r.model_spec == text]
    if not runs:
        run = store.get_run(text)
        if run.status != "complete":
            raise HarnessError(
                f"run {run.run_id} is {run.status}; finish it with `harness eval --resume "
                f"{run.run_id}` or compare a complete run"
            )
        if suite is not None and run.suite != suite:
            raise HarnessError(
                f"run {run.run_id} is of suite '{run.suite}', not '{suite}'; "
                "pass a run of the suite being compared"
            )
        return run
    if suite is None:
        raise HarnessError(
            f"'{text}' is a model, not a run; add --suite to pick its latest run on a suite"
        )
    found = [r for r in runs if r.suite == suite and r.status == "complete" and r.run_id != exclude]
    if not found:
        raise HarnessError(
            f"model '{text}' has no complete run of suite '{suite}' in {store.location}; "
            f"run `harness eval --model {text} --suite {suite}` first"
        )
    if like is not None:
        matching = [r for r in found if same_items(r.config, like)]
        found = matching or found
    _refuse_two_served_models(
        text, [r for r in runs if r.suite == suite and r.status == "complete"]
    )
    return found[0]  # list_runs is newest first


def _refuse_two_served_models(name: str, runs: Sequence[RunRecord]) -> None:
    """A served name whose runs come from different models (another fingerprint) is ambiguous.

    A server can change what it serves under one name; pairing the newest run with an older
    one as "the same model" would hide that, so the user picks the run ids.
    """
    if not runs or runs[0].dtype != "served":
        return
    identities = {r.model_hash for r in runs if r.dtype == "served"}
    if len(identities) > 1:
        listed = ", ".join(f"{r.run_id} (model {r.model_hash[:12]})" for r in runs[:6])
        raise HarnessError(
            f"'{name}' was served as {len(identities)} different models (their answers to the "
            f"identity probes differ): {listed}; pass run ids instead of the model name"
        )


def latest_matching_run(
    store: Store,
    model_spec: str,
    suite: str,
    like: Mapping[str, Any],
    exclude: str | None = None,
    dtype: str | None = None,
) -> RunRecord | None:
    """The newest complete run of ``model_spec`` on ``suite`` made with the same item options
    (and, when given, the same dtype: a bfloat16 run is another variant of the same spec)."""
    for run in store.list_runs():
        if (
            run.model_spec == model_spec
            and run.suite == suite
            and run.status == "complete"
            and run.run_id != exclude
            and (dtype is None or run.dtype == dtype)
            and same_items(run.config, like)
        ):
            return run
    return None


def latest_run(
    runs: Sequence[RunRecord], weights_hash: str, suite: str, like: RunRecord | None = None
) -> RunRecord | None:
    """The newest complete run of these weights on ``suite``; one on the same items first."""
    found = [
        r
        for r in runs
        if r.model_hash == weights_hash and r.suite == suite and r.status == "complete"
    ]
    if like is not None:
        found = [r for r in found if same_items(r.config, like.config)] or found
    return found[0] if found else None


def same_items(config: Mapping[str, Any], other: Mapping[str, Any]) -> bool:
    """Whether two runs' options select the same items (tasks, limit, shots, chat, generation)."""
    return _item_options(config) == _item_options(other)


def _item_options(config: Mapping[str, Any]) -> tuple[Any, ...]:
    return tuple(config.get(key) for key in _ITEM_OPTIONS)
