"""Stored gate decisions as rows for a table: one summary row per decision, one per metric."""

from __future__ import annotations

from typing import Any

from harness.store import GateDecisionRecord


def decision_rows(decisions: list[GateDecisionRecord]) -> list[dict[str, Any]]:
    """One summary row per decision, newest first as stored."""
    return [
        {
            "id": d.decision_id,
            "created_at": d.created_at.strftime("%Y-%m-%d %H:%M:%S"),
            "suite": d.suite,
            "baseline": d.baseline_run_id,
            "candidate": d.candidate_run_id,
            "verdict": d.verdict,
            "policy": d.policy,
            "exit_code": d.exit_code,
            "margins": ", ".join(f"{k}={v:g}" for k, v in sorted(d.margins.items())),
        }
        for d in decisions
    ]


COMPARISON_FIELDS = (
    "scope",
    "name",
    "metric",
    "n",
    "baseline",
    "candidate",
    "difference",
    "ci_low",
    "ci_high",
    "p_value",
    "p_holm",
    "mde",
    "margin",
    "verdict",
    "primary",
)


def comparison_rows(decision: GateDecisionRecord) -> list[dict[str, Any]]:
    """The stored comparison table behind a decision (whatever fields it has, known ones first)."""
    rows = decision.comparison.get("rows", [])
    out = []
    for row in rows if isinstance(rows, list) else []:
        if isinstance(row, dict):
            known = {k: row.get(k) for k in COMPARISON_FIELDS if k in row}
            out.append(known | {k: v for k, v in row.items() if k not in known})
    return out
