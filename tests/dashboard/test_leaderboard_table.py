"""The leaderboard rows: latest runs, cells with CIs, filters, sorting, notes and export."""

from __future__ import annotations

import csv
import io
import json

import pytest
from snapshot_factories import model, run, score, snapshot, task_result

from harness.leaderboard import (
    Column,
    LeaderboardFilter,
    available_columns,
    build_leaderboard,
    leaderboard_csv,
    leaderboard_json,
    variant_info,
)


def _two_suites():  # type: ignore[no-untyped-def]
    models = [
        model("big", 7_000_000_000, kind="instruct"),
        model("small", 135_000_000, kind="base"),
        model("mid", 1_000_000_000),
    ]
    runs = [
        run("r-big-old", "big", "mmlu", minutes=0),
        run("r-big", "big", "mmlu", minutes=5),
        run("r-small", "small", "mmlu", minutes=1),
        run("r-mid", "mid", "mmlu", minutes=2),
        run("r-small-ds", "small", "dialogsum", minutes=3),
        run("r-big-ds", "big", "dialogsum", minutes=4),
        run("r-failed", "mid", "dialogsum", minutes=6, status="failed"),
    ]
    scores = [
        score("r-big-old", "mmlu", "acc", 0.10),
        score("r-big", "mmlu", "acc", 0.60, ci=(0.5, 0.7)),
        score("r-small", "mmlu", "acc", 0.30, ci=(0.2, 0.4)),
        score("r-mid", "mmlu", "acc", 0.45, ci=(0.35, 0.55)),
        score("r-big", "mmlu", "acc_norm", 0.55),
        # DialogSum has no suite aggregate: two tasks, macro mean.
        score("r-small-ds", "ds_0shot", "rouge1", 0.20, scope="task", stderr=0.03),
        score("r-small-ds", "ds_1shot", "rouge1", 0.30, scope="task", stderr=0.04),
        score("r-big-ds", "ds_0shot", "rouge1", 0.10, scope="task", stderr=0.03),
        score("r-big-ds", "ds_1shot", "rouge1", 0.20, scope="task", stderr=0.04),
        score("r-failed", "ds_0shot", "rouge1", 0.99, scope="task"),
    ]
    return snapshot(runs, models, scores)


def test_one_row_per_variant_from_its_latest_complete_run_ranked_by_win_rate() -> None:
    board = build_leaderboard(_two_suites())
    assert board.columns == [Column("dialogsum", "rouge1"), Column("mmlu", "acc")]
    # Win rates: mmlu big 1, mid 0.5, small 0; dialogsum small 1, big 0. All tie at 0.5,
    # so the order falls back to the name.
    assert {row.name: row.win_rate for row in board.rows} == {"big": 0.5, "small": 0.5, "mid": 0.5}
    assert [row.name for row in board.rows] == ["big", "mid", "small"]
    big = board.rows[0]
    assert big.cells[Column("mmlu", "acc")].value == 0.60  # not the older run's 0.10
    assert (big.cells[Column("mmlu", "acc")].ci_low, big.cells[Column("mmlu", "acc")].ci_high) == (
        0.5,
        0.7,
    )
    # mid has no complete dialogsum run (its failed run's 0.99 is ignored).
    mid = next(row for row in board.rows if row.name == "mid")
    assert Column("dialogsum", "rouge1") not in mid.cells


def test_a_suite_without_aggregate_gets_the_macro_mean_over_its_tasks() -> None:
    board = build_leaderboard(_two_suites())
    small = next(row for row in board.rows if row.name == "small")
    cell = small.cells[Column("dialogsum", "rouge1")]
    assert cell.derived
    assert cell.value == pytest.approx(0.25)
    assert cell.stderr == pytest.approx((0.03**2 + 0.04**2) ** 0.5 / 2)
    assert cell.ci_low == pytest.approx(0.25 - 1.959963984540054 * 0.025)


def test_filters_by_kind_precision_size_and_suite() -> None:
    snap = _two_suites()
    by_kind = build_leaderboard(snap, where=LeaderboardFilter(kinds=("base",)))
    assert [row.name for row in by_kind.rows] == ["small"]
    by_size = build_leaderboard(snap, where=LeaderboardFilter(max_parameters=1_000_000_000))
    assert {row.name for row in by_size.rows} == {"small", "mid"}
    by_suite = build_leaderboard(snap, where=LeaderboardFilter(suites=("mmlu",)))
    assert by_suite.columns == [Column("mmlu", "acc")]
    assert build_leaderboard(snap, where=LeaderboardFilter(dtypes=("bfloat16",))).is_empty


def test_win_rates_are_recomputed_over_the_filtered_rows() -> None:
    board = build_leaderboard(
        _two_suites(), [Column("mmlu", "acc")], LeaderboardFilter(kinds=("base", "hub"))
    )
    assert {row.name: row.win_rate for row in board.rows} == {"mid": 1.0, "small": 0.0}


def test_the_kind_falls_back_to_the_source_without_a_registry() -> None:
    assert variant_info(model("mid")).kind == "hub"
    assert variant_info(model("x", kind="lora", parent="hash-mid")).parent_hash == "hash-mid"


def test_metrics_on_demand_and_sorting_by_a_column_or_name() -> None:
    snap = _two_suites()
    assert available_columns(snap) == {"dialogsum": ["rouge1"], "mmlu": ["acc", "acc_norm"]}
    board = build_leaderboard(snap, [Column("mmlu", "acc_norm")])
    assert [row.name for row in board.rows] == ["big"]
    by_acc = build_leaderboard(snap, [Column("mmlu", "acc")], sort_by="mmlu acc")
    assert [row.name for row in by_acc.rows] == ["big", "mid", "small"]
    by_name = build_leaderboard(snap, sort_by="name")
    assert [row.name for row in by_name.rows] == ["big", "mid", "small"]


def test_normalised_values_put_the_best_at_one_and_feed_the_mean() -> None:
    board = build_leaderboard(_two_suites(), normalised=True, sort_by="mean")
    rows = {row.name: row for row in board.rows}
    assert rows["big"].normalised[Column("mmlu", "acc")] == 1.0
    assert rows["small"].normalised[Column("mmlu", "acc")] == 0.0
    assert rows["big"].mean == pytest.approx((1.0 + 0.0) / 2)
    assert rows["mid"].mean == pytest.approx(0.5)


def test_runs_over_different_items_are_flagged() -> None:
    snap = snapshot(
        [run("a", "m1", "mmlu"), run("b", "m2", "mmlu", minutes=1)],
        [model("m1"), model("m2")],
        [score("a", "mmlu", "acc", 0.5), score("b", "mmlu", "acc", 0.6)],
        [task_result("a", "mmlu_x", n_items=5), task_result("b", "mmlu_x", n_items=50)],
    )
    (note,) = build_leaderboard(snap).notes
    assert note.startswith("mmlu: the runs shown scored different items")


def test_csv_and_json_exports_carry_values_and_intervals() -> None:
    board = build_leaderboard(_two_suites(), [Column("mmlu", "acc")])
    rows = list(csv.DictReader(io.StringIO(leaderboard_csv(board))))
    assert [r["model"] for r in rows] == ["big", "mid", "small"]
    assert rows[0]["mmlu acc"] == "0.6" and rows[0]["mmlu acc ci_low"] == "0.5"
    payload = json.loads(leaderboard_json(board))
    assert payload["columns"] == [{"suite": "mmlu", "metric": "acc"}]
    assert payload["rows"][2]["win_rate"] == 0.0
