"""The report as Markdown, charts as SVG files beside it (Markdown viewers strip inline SVG)."""

from __future__ import annotations

from pathlib import Path

from harness.leaderboard import format_parameters
from harness.report.content import ReportContent
from harness.report.table_cells import diff_text, leaderboard_cells


def _escape(text: str) -> str:
    return text.replace("|", "\\|")


def render_markdown(content: ReportContent, chart_dir: Path, chart_link: str) -> str:
    """Markdown text; writes each chart to ``chart_dir`` and links it as ``chart_link/<file>``."""
    lines = [
        "# harness-lab leaderboard",
        "",
        f"Store `{content.store}`, {content.n_runs} run(s), generated "
        f"{content.created_at:%Y-%m-%d %H:%M} UTC.",
        "",
    ]
    if content.board.is_empty:
        lines += ["No complete runs yet; fill the store with `harness eval`.", ""]
    else:
        header, rows = leaderboard_cells(content.board)
        lines.append("| " + " | ".join(_escape(h) for h in header) + " |")
        lines.append("|" + "|".join("---" for _ in header) + "|")
        lines += ["| " + " | ".join(_escape(c) for c in row) + " |" for row in rows]
        lines.append("")
        lines += [f"> {note}" for note in content.board.notes]
        lines += [
            "Win rate: HELM's mean win rate over the columns (share of other models beaten, "
            "ties half).",
            "",
        ]
    if content.charts:
        chart_dir.mkdir(parents=True, exist_ok=True)
        lines += ["## Charts", ""]
        for i, chart in enumerate(content.charts, start=1):
            name = f"chart_{i}.svg"
            (chart_dir / name).write_text(chart.svg + "\n")
            lines += [f"![{chart.title}]({chart_link}/{name})", ""]
    lines += ["## Lineage", ""]
    for root in content.forest:
        for depth, node in root.walk():
            v = node.variant
            lines.append(
                f"{'  ' * depth}- **{v.name}** ({v.kind}, {format_parameters(v.n_parameters)},"
                f" {len(node.runs)} run(s))"
            )
    lines.append("")
    if content.edges:
        lines += ["| parent | child | recipe | suite | difference vs parent (95% CI) |"]
        lines += ["|---|---|---|---|---|"]
        for edge in content.edges:
            diffs = "; ".join(diff_text(d) for d in edge.diffs) or (edge.note or "—")
            lines.append(
                f"| {edge.parent} | {edge.child} | {edge.recipe or '—'} | {edge.suite} "
                f"| {_escape(diffs)} |"
            )
        lines.append("")
    else:
        lines += ["No variant has a recorded parent yet; every model is a root.", ""]
    return "\n".join(lines)
