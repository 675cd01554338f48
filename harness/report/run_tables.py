"""Plain-text tables of stored runs and their scores, as ``harness eval/runs/show`` print them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from harness.report.text_table import format_table
from harness.store import RunLease, RunRecord, ScoreRecord
from harness.store.liveness import run_state


def format_cell(score: ScoreRecord) -> str:
    """Value with its uncertainty: ± stderr where one exists, else the bootstrap CI."""
    value = f"{score.value:.4f}"
    if score.stderr is not None:
        return f"{value} ±{score.stderr:.4f}"
    if score.ci_low is not None and score.ci_high is not None:
        return f"{value} [{score.ci_low:.3f}, {score.ci_high:.3f}]"
    return value


def format_scores(scores: Sequence[ScoreRecord]) -> str:
    """One row per task or aggregate, one column per metric, tasks first then aggregates."""
    metrics = list(dict.fromkeys(s.metric for s in scores))
    names: dict[tuple[str, str], dict[str, ScoreRecord]] = {}
    counts: dict[tuple[str, str], int] = {}
    for s in scores:
        names.setdefault((s.scope, s.name), {})[s.metric] = s
        counts[(s.scope, s.name)] = max(counts.get((s.scope, s.name), 0), s.n)
    rows = []
    for scope in ("task", "aggregate"):
        keys = [k for k in names if k[0] == scope]
        for key in sorted(keys, key=lambda k: k[1]) if scope == "task" else keys:
            label = key[1] if scope == "task" else f"[{key[1]}]"
            cells = [format_cell(names[key][m]) if m in names[key] else "" for m in metrics]
            rows.append([label, str(counts[key]), *cells])
    return format_table(["task", "n", *metrics], rows)


def shown_status(run: RunRecord, lease: RunLease | None) -> str:
    """The stored status, or ``stale`` for a running run whose holder stopped beating."""
    return run_state(lease) if lease is not None else run.status


def format_runs(runs: Sequence[RunRecord], leases: Mapping[str, RunLease] | None = None) -> str:
    """One row per run, newest first as given: id, date, status, suite, model, time, tokens.

    With ``leases`` (``Store.list_leases()``) a running run nobody works on shows as stale.
    """
    rows = [
        [
            r.run_id,
            r.created_at.strftime("%Y-%m-%d %H:%M"),
            shown_status(r, (leases or {}).get(r.run_id)),
            r.suite,
            r.model_spec,
            f"{r.wall_time_s:.1f}s" if r.wall_time_s is not None else "",
            f"{r.tokens_processed:,}" if r.tokens_processed is not None else "",
        ]
        for r in runs
    ]
    return format_table(
        ["run", "created (UTC)", "status", "suite", "model", "wall", "tokens"], rows
    )


def format_helm_families(scores: Sequence[ScoreRecord]) -> str:
    """HELM's seven families, one row per task with perturbed copies (``suites/helm.yaml``)."""
    from harness.helm.report import HEADER, family_rows

    rows = family_rows(scores)
    return format_table(HEADER, [r.cells for r in rows]) if rows else ""
