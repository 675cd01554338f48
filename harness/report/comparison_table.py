"""The comparison table as text, for terminals, CI logs and pytest assertion messages."""

from __future__ import annotations

import math

from harness.compare.comparison import Comparison, ComparisonRow
from harness.report.text_table import format_table

HEADER = [
    "scope",
    "metric",
    "n",
    "baseline",
    "candidate",
    "diff",
    "95% CI",
    "p (Holm)",
    "MDE@80%",
    "margin",
    "verdict",
]


def _number(value: float) -> str:
    if math.isnan(value):
        return "nan"
    return f"{value:.4f}" if abs(value) < 1000 else f"{value:.1f}"


def _p(value: float) -> str:
    return f"{value:.3g}" if value >= 0.001 else "<0.001"


def _cells(row: ComparisonRow) -> list[str]:
    label = f"[{row.name}]" if row.scope == "suite" else row.name
    direction = "" if row.higher_is_better else " (lower better)"
    p = _p(row.p_value) if row.p_holm == row.p_value else f"{_p(row.p_value)} ({_p(row.p_holm)})"
    return [
        label,
        row.metric + direction,
        str(row.n),
        _number(row.baseline),
        _number(row.candidate),
        f"{row.difference:+.4f}",
        f"[{row.ci_low:+.4f}, {row.ci_high:+.4f}]",
        p,
        _number(row.mde),
        _number(row.margin),
        row.verdict.upper() if row.primary else row.verdict,
    ]


def format_comparison(comparison: Comparison, *, all_rows: bool = False) -> str:
    """The table, then the verdict line; per-task rows of pooled metrics only on request
    (or when they regress), since their few items rarely decide anything alone."""
    shown = [r for r in comparison.rows if all_rows or r.primary or r.verdict == "regress"]
    hidden = len(comparison.rows) - len(shown)
    lines = [
        f"baseline {comparison.baseline_run_id}  candidate {comparison.candidate_run_id}"
        f"  suite {comparison.suite}",
        "",
        format_table(HEADER, [_cells(r) for r in shown]),
        "",
    ]
    if hidden:
        lines.append(f"({hidden} per-task rows of pooled metrics hidden; --all shows them)")
    lines.extend(f"note: {note}" for note in comparison.notes)
    lines.append(
        "diff = candidate - baseline; CI: paired 95% interval; p: no-difference test"
        " (Holm-adjusted across tasks in brackets); MDE: smallest drop called a regression"
        " with 80% power"
    )
    lines.append(f"verdict: {comparison.verdict.upper()}")
    return "\n".join(lines)
