"""Compare two stored runs: read their samples and scores, pair them, build the table."""

from __future__ import annotations

from collections.abc import Mapping

from harness.compare.comparison import DEFAULT_SETTINGS, CompareSettings, Comparison, compare_paired
from harness.compare.item_values import comparable
from harness.compare.pairing import DEFAULT_MIN_OVERLAP, pair_runs
from harness.store import RunRecord, Store


def compare_runs(
    store: Store,
    baseline: RunRecord,
    candidate: RunRecord,
    *,
    margins: Mapping[str, float] | None = None,
    min_overlap: float = DEFAULT_MIN_OVERLAP,
    settings: CompareSettings = DEFAULT_SETTINGS,
) -> Comparison:
    """Pair the two runs' items and compare every metric both runs scored on a shared task."""
    margins = dict(margins or {})
    tasks, notes = pair_runs(
        baseline.run_id,
        store.get_samples(baseline.run_id),
        candidate.run_id,
        store.get_samples(candidate.run_id),
        min_overlap=min_overlap,
    )
    base_scores = store.get_scores(baseline.run_id, scope="task")
    cand_scores = store.get_scores(candidate.run_id, scope="task")
    cand_metrics = {(s.name, s.metric) for s in cand_scores}
    metrics: dict[str, list[str]] = {}
    higher_is_better: dict[str, bool] = {}
    samples = {t.task: [*t.baseline, *t.candidate] for t in tasks}
    skipped: set[str] = set()
    for score in base_scores:
        if (score.name, score.metric) not in cand_metrics or score.name not in samples:
            continue
        if not comparable(score.metric, samples[score.name]):
            skipped.add(score.metric)
            continue
        metrics.setdefault(score.name, []).append(score.metric)
        higher_is_better[score.metric] = score.higher_is_better
    if skipped:
        notes.append(f"not comparable item by item, left out: {', '.join(sorted(skipped))}")
    suite = baseline.suite if baseline.suite == candidate.suite else "suite"
    if baseline.suite != candidate.suite:
        notes.append(f"suites differ ({baseline.suite} vs {candidate.suite}); shared tasks only")
    rows, result = compare_paired(suite, tasks, metrics, higher_is_better, margins, settings)
    return Comparison(
        baseline_run_id=baseline.run_id,
        candidate_run_id=candidate.run_id,
        suite=suite,
        rows=rows,
        verdict=result,
        margins=margins,
        notes=notes,
    )
