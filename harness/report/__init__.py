"""Static leaderboard reports (Markdown or HTML) for sharing where no dashboard runs.

``write_report(store, "html", "reports/")`` writes ``reports/leaderboard.html``: the same
leaderboard and lineage as the dashboard, with the charts inlined as SVG.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from harness.report.content import ReportContent, build_report
from harness.report.html import render_html
from harness.report.markdown import render_markdown
from harness.store import Store

ReportFormat = Literal["md", "html"]
FORMATS: tuple[ReportFormat, ...] = ("md", "html")
REPORT_NAME = "leaderboard"


def write_report(store: Store, fmt: ReportFormat, out_dir: str | Path) -> Path:
    """Write the report into ``out_dir``; returns the report file's path."""
    if fmt not in FORMATS:
        raise ValueError(f"report format must be one of {FORMATS}, not {fmt!r}")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    content = build_report(store)
    path = out / f"{REPORT_NAME}.{fmt}"
    if fmt == "html":
        path.write_text(render_html(content))
    else:
        charts = f"{REPORT_NAME}_charts"
        path.write_text(render_markdown(content, out / charts, charts))
    return path


__all__ = [
    "FORMATS",
    "ReportContent",
    "ReportFormat",
    "build_report",
    "render_html",
    "render_markdown",
    "write_report",
]
