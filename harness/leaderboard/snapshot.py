"""One read of the store, shaped for the leaderboard pages and the static report.

The dashboard reruns its script on every click; reading every run's scores once into a
plain, picklable snapshot lets it cache that read and keeps the page code free of SQL.
Samples are large and needed for one or two runs at a time, so they are not part of it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from harness.store import (
    GateDecisionRecord,
    ModelRecord,
    RunRecord,
    ScoreRecord,
    Store,
    TaskResultRecord,
)

if TYPE_CHECKING:
    from harness.registry import Variant


@dataclass(frozen=True)
class Snapshot:
    """Every run (newest first) with its model, scores and task results."""

    runs: list[RunRecord]
    models: dict[str, ModelRecord]
    scores: dict[str, list[ScoreRecord]]
    task_results: dict[str, list[TaskResultRecord]]
    gate_decisions: list[GateDecisionRecord] = field(default_factory=list)
    # Registered variants by weights hash: the registry names a run's kind, parent and recipe.
    variants: dict[str, Variant] = field(default_factory=dict)

    @property
    def is_empty(self) -> bool:
        """True when no run has been stored yet."""
        return not self.runs

    def run(self, run_id: str) -> RunRecord:
        """The run with exactly this id (ids come from the snapshot itself)."""
        for run in self.runs:
            if run.run_id == run_id:
                return run
        raise KeyError(run_id)

    def complete_runs(self) -> list[RunRecord]:
        """Finished runs only: a running or failed run has partial scores."""
        return [run for run in self.runs if run.status == "complete"]


def load_snapshot(store: Store) -> Snapshot:
    """Read runs, models, scores, task results and gate decisions from ``store``."""
    runs = store.list_runs()
    models: dict[str, ModelRecord] = {}
    for run in runs:
        if run.model_hash not in models:
            model = store.get_model(run.model_hash)
            if model is not None:
                models[run.model_hash] = model
    return Snapshot(
        runs=runs,
        models=models,
        scores={run.run_id: store.get_scores(run.run_id) for run in runs},
        task_results={run.run_id: store.get_task_results(run.run_id) for run in runs},
        gate_decisions=_gate_decisions(store),
        variants=_registered(store),
    )


def _registered(store: Store) -> dict[str, Variant]:
    from harness.leaderboard.variants import registered_by_hash

    return registered_by_hash(store.location)


def _gate_decisions(store: Store) -> list[GateDecisionRecord]:
    # Gate decisions arrived with harness.compare; a store class without them has none.
    reader = getattr(store, "get_gate_decisions", None)
    return list(reader()) if callable(reader) else []
