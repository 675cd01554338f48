"""The dashboard's Altair charts, checked on their Vega-Lite specs (no browser needed)."""

from __future__ import annotations

import pytest

from harness.leaderboard.charts import bars_with_error, radar, radar_points


def test_a_radar_polygon_closes_on_its_first_axis_at_the_value_as_radius() -> None:
    points = radar_points({"m": {"a": 1.0, "b": 0.5, "c": 0.25}})
    assert [p["axis"] for p in points] == ["a", "b", "c", "a"]
    assert (points[0]["x"], points[0]["y"]) == pytest.approx((0.0, 1.0))  # axis a points up
    assert (points[1]["x"] ** 2 + points[1]["y"] ** 2) ** 0.5 == pytest.approx(0.5)


def test_bars_carry_their_interval_as_a_rule_layer() -> None:
    spec = bars_with_error(
        [{"model": "a", "value": 0.5, "ci_low": 0.4, "ci_high": 0.6}], "model"
    ).to_dict()
    marks = [layer["mark"]["type"] for layer in spec["layer"]]
    assert marks == ["bar", "rule"]
    assert spec["layer"][1]["encoding"]["x2"]["field"] == "ci_high"


def test_the_radar_draws_grid_rings_under_the_series() -> None:
    spec = radar({"m": {"a": 0.5, "b": 0.5, "c": 0.5}}).to_dict()
    assert [layer["mark"]["type"] for layer in spec["layer"]] == ["line", "line", "text"]
