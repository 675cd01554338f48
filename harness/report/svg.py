"""Self-contained SVG bar charts with 95% error bars for the static report.

The report must open where nothing else runs (an e-mail attachment, a CI artifact, no
network), so its charts are plain SVG text written here rather than Vega-Lite that needs a
JavaScript runtime from a CDN.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

WIDTH = 720
LABEL_WIDTH = 220
BAR_HEIGHT = 18
ROW_GAP = 8
TOP = 34
BOTTOM = 28
PALETTE = ("#4c78a8", "#f58518", "#54a24b", "#e45756", "#72b7b2", "#b279a2", "#eeca3b")


@dataclass(frozen=True)
class Bar:
    """One bar: its label, value and (when known) 95% interval."""

    label: str
    value: float
    ci_low: float | None = None
    ci_high: float | None = None


def _finite(*values: float | None) -> list[float]:
    return [v for v in values if v is not None and math.isfinite(v)]


def bar_chart(bars: Sequence[Bar], title: str) -> str:
    """A horizontal bar chart as an ``<svg>`` element (no XML prolog, so it inlines in HTML)."""
    numbers = [n for b in bars for n in _finite(b.value, b.ci_low, b.ci_high)]
    low = min([0.0, *numbers])
    high = max([0.0, *numbers]) or 1.0
    plot = WIDTH - LABEL_WIDTH - 60

    def x(value: float) -> float:
        return LABEL_WIDTH + (value - low) / (high - low) * plot

    height = TOP + len(bars) * (BAR_HEIGHT + ROW_GAP) + BOTTOM
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
        f'viewBox="0 0 {WIDTH} {height}" role="img" aria-label="{escape(title)}" '
        'font-family="sans-serif" font-size="12">',
        f"<title>{escape(title)}</title>",
        f'<text x="{LABEL_WIDTH}" y="18" font-size="14" font-weight="bold">{escape(title)}</text>',
        f'<line x1="{x(0):.1f}" y1="{TOP - 6}" x2="{x(0):.1f}" y2="{height - BOTTOM + 4}" '
        'stroke="#999"/>',
    ]
    for i, bar in enumerate(bars):
        y = TOP + i * (BAR_HEIGHT + ROW_GAP)
        left, right = sorted((x(0), x(bar.value) if math.isfinite(bar.value) else x(0)))
        colour = PALETTE[i % len(PALETTE)]
        parts.append(
            f'<text x="{LABEL_WIDTH - 8}" y="{y + BAR_HEIGHT - 5}" text-anchor="end">'
            f"{escape(bar.label)}</text>"
        )
        parts.append(
            f'<rect x="{left:.1f}" y="{y}" width="{right - left:.1f}" height="{BAR_HEIGHT}" '
            f'fill="{colour}" opacity="0.85"><title>{escape(bar.label)}: {bar.value:.4g}</title></rect>'
        )
        if len(_finite(bar.ci_low, bar.ci_high)) == 2:
            assert bar.ci_low is not None and bar.ci_high is not None
            mid = y + BAR_HEIGHT / 2
            x1, x2 = x(bar.ci_low), x(bar.ci_high)
            parts.append(
                f'<path d="M{x1:.1f},{mid - 5}V{mid + 5}M{x1:.1f},{mid}H{x2:.1f}'
                f'M{x2:.1f},{mid - 5}V{mid + 5}" stroke="black" fill="none"/>'
            )
        value_x = max(right, x(bar.ci_high) if bar.ci_high is not None else right)
        parts.append(f'<text x="{value_x + 6:.1f}" y="{y + BAR_HEIGHT - 5}">{bar.value:.3f}</text>')
    axis_y = height - BOTTOM + 18
    for tick in (low, (low + high) / 2, high):
        parts.append(
            f'<text x="{x(tick):.1f}" y="{axis_y}" text-anchor="middle" fill="#555">'
            f"{tick:.3g}</text>"
        )
    parts.append("</svg>")
    return "\n".join(parts)
