"""The report as one self-contained HTML file: inline CSS, inline SVG charts, no scripts."""

from __future__ import annotations

from html import escape

from harness.leaderboard import LineageNode, format_parameters
from harness.report.content import ReportContent
from harness.report.table_cells import diff_text, leaderboard_cells

STYLE = """
body { font-family: sans-serif; margin: 2em auto; max-width: 1100px; color: #222; }
table { border-collapse: collapse; margin: 1em 0; }
th, td { border: 1px solid #ccc; padding: 4px 8px; text-align: left; }
th { background: #f3f3f3; }
.gain { color: #1a7f37; } .regression { color: #cf222e; } .note { color: #666; }
"""
STATUS_CLASS = {"gain": "gain", "regression": "regression", "no significant change": "note"}


def _tree(node: LineageNode) -> str:
    v = node.variant
    label = (
        f"<strong>{escape(v.name)}</strong> ({escape(v.kind)}, "
        f"{format_parameters(v.n_parameters)}, {len(node.runs)} run(s))"
    )
    children = "".join(_tree(child) for child in node.children)
    return f"<li>{label}{f'<ul>{children}</ul>' if children else ''}</li>"


def render_html(content: ReportContent) -> str:
    """The whole report page."""
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        "<title>harness-lab leaderboard</title>",
        f"<style>{STYLE}</style></head><body>",
        "<h1>harness-lab leaderboard</h1>",
        f'<p class="note">Store <code>{escape(content.store)}</code>, {content.n_runs} run(s), '
        f"generated {content.created_at:%Y-%m-%d %H:%M} UTC.</p>",
    ]
    if content.board.is_empty:
        parts.append("<p>No complete runs yet; fill the store with <code>harness eval</code>.</p>")
    else:
        header, rows = leaderboard_cells(content.board)
        parts.append('<table id="leaderboard"><thead><tr>')
        parts += [f"<th>{escape(h)}</th>" for h in header]
        parts.append("</tr></thead><tbody>")
        for row in rows:
            parts.append("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in row) + "</tr>")
        parts.append("</tbody></table>")
        parts += [f'<p class="note">{escape(note)}</p>' for note in content.board.notes]
        parts.append(
            '<p class="note">Win rate: HELM\'s mean win rate over the columns (share of the '
            "other models beaten per column, ties count half).</p>"
        )
    if content.charts:
        parts.append("<h2>Charts</h2>")
        parts += [f'<figure class="chart">{chart.svg}</figure>' for chart in content.charts]
    parts.append("<h2>Lineage</h2>")
    parts.append('<ul class="lineage">' + "".join(_tree(r) for r in content.forest) + "</ul>")
    if content.edges:
        parts.append(
            "<table><thead><tr><th>parent</th><th>child</th><th>recipe</th><th>suite</th>"
            "<th>difference vs parent (95% CI)</th></tr></thead><tbody>"
        )
        for edge in content.edges:
            diffs = "<br>".join(
                f'<span class="{STATUS_CLASS[d.status]}">{escape(diff_text(d))}</span>'
                for d in edge.diffs
            ) or escape(edge.note or "—")
            parts.append(
                f"<tr><td>{escape(edge.parent)}</td><td>{escape(edge.child)}</td>"
                f"<td>{escape(edge.recipe or '—')}</td><td>{escape(edge.suite)}</td>"
                f"<td>{diffs}</td></tr>"
            )
        parts.append("</tbody></table>")
    else:
        parts.append(
            '<p class="note">No variant has a recorded parent yet; every model is a root.</p>'
        )
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"
