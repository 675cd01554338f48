"""Altair charts for the dashboard: bars with 95% error bars, a radar, and curves.

Built from plain lists of dicts (the rows the other leaderboard modules return), so the
pages pass data straight through and tests can inspect a chart's spec without a browser.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import altair as alt


def bars_with_error(
    rows: Sequence[Mapping[str, Any]],
    category: str,
    value: str = "value",
    low: str = "ci_low",
    high: str = "ci_high",
    color: str | None = None,
    title: str = "",
) -> alt.LayerChart | alt.FacetChart:
    """Horizontal bars of ``value`` per ``category`` with the 95% interval as a rule."""
    data = alt.Data(values=[dict(r) for r in rows if r.get(value) is not None])
    y = alt.Y(f"{category}:N", sort=None, title=None)
    bars = alt.Chart(data).mark_bar(opacity=0.8)
    encode: dict[str, Any] = {"x": alt.X(f"{value}:Q", title=title or value), "y": y}
    if color:
        encode["color"] = alt.Color(f"{color}:N")
        encode["yOffset"] = alt.YOffset(f"{color}:N")
    bars = bars.encode(
        **encode,
        tooltip=[f"{category}:N", f"{value}:Q", f"{low}:Q", f"{high}:Q"]
        + ([f"{color}:N"] if color else []),
    )
    errors = (
        alt.Chart(data)
        .mark_rule(color="black")
        .encode(
            x=alt.X(f"{low}:Q"),
            x2=alt.X2(f"{high}:Q"),
            y=y,
            **({"yOffset": alt.YOffset(f"{color}:N")} if color else {}),
        )
    )
    return alt.layer(bars, errors).properties(width="container")


def radar_points(series: Mapping[str, Mapping[str, float]]) -> list[dict[str, Any]]:
    """Cartesian points of a radar: one closed polygon per series over the shared axes.

    Altair has no polar line mark, so each axis gets an angle and each value a radius.
    """
    axes = sorted({axis for values in series.values() for axis in values})
    points = []
    for name, values in series.items():
        present = [a for a in axes if a in values]
        for order, axis in enumerate([*present, *present[:1]]):
            angle = 2 * math.pi * axes.index(axis) / len(axes)
            radius = values[axis]
            points.append(
                {
                    "series": name,
                    "axis": axis,
                    "value": radius,
                    "x": radius * math.sin(angle),
                    "y": radius * math.cos(angle),
                    "order": order,
                }
            )
    return points


def radar(
    series: Mapping[str, Mapping[str, float]], title: str = ""
) -> alt.LayerChart | alt.FacetChart:
    """Radar of per-axis values (categories or HELM families) for several models, in [0, 1]."""
    axes = sorted({axis for values in series.values() for axis in values})
    spokes = [
        {
            "axis": axis,
            "x": math.sin(2 * math.pi * i / len(axes)),
            "y": math.cos(2 * math.pi * i / len(axes)),
        }
        for i, axis in enumerate(axes)
    ]
    scale = alt.Scale(domain=[-1.15, 1.15])
    lines = (
        alt.Chart(alt.Data(values=radar_points(series)))
        .mark_line(point=True)
        .encode(
            x=alt.X("x:Q", scale=scale, axis=None),
            y=alt.Y("y:Q", scale=scale, axis=None),
            color=alt.Color("series:N", title="model"),
            order="order:Q",
            tooltip=["series:N", "axis:N", alt.Tooltip("value:Q", format=".3f")],
        )
    )
    rings = (
        alt.Chart(
            alt.Data(
                values=radar_points(
                    {f"{level:.2f}": dict.fromkeys(axes, level) for level in (0.25, 0.5, 0.75, 1.0)}
                )
            )
        )
        .mark_line(color="#ddd", strokeWidth=1)
        .encode(
            x=alt.X("x:Q", scale=scale, axis=None),
            y=alt.Y("y:Q", scale=scale, axis=None),
            detail="series:N",
            order="order:Q",
        )
    )
    labels = (
        alt.Chart(alt.Data(values=spokes))
        .mark_text(fontSize=11)
        .encode(x=alt.X("x:Q", scale=scale), y=alt.Y("y:Q", scale=scale), text="axis:N")
    )
    return alt.layer(rings, lines, labels).properties(width=420, height=420, title=title)


def curves(points: Sequence[Mapping[str, Any]], title: str = "") -> alt.Chart:
    """Lines of ``value`` over ``step``, one colour per ``curve``."""
    return (
        alt.Chart(alt.Data(values=[dict(p) for p in points]))
        .mark_line()
        .encode(x="step:Q", y="value:Q", color="curve:N", tooltip=["curve:N", "step:Q", "value:Q"])
        .properties(width="container", title=title)
    )
