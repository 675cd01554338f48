"""HELM mean win rate and min-max normalisation, checked against hand computations."""

from __future__ import annotations

from harness.leaderboard import mean_win_rates, min_max_normalise, win_rates


def test_win_rate_is_the_share_of_other_rows_beaten_with_ties_counting_half() -> None:
    assert win_rates({"a": 0.9, "b": 0.5, "c": 0.5}) == {"a": 1.0, "b": 0.25, "c": 0.25}


def test_win_rate_ranks_lower_is_better_columns_the_other_way() -> None:
    assert win_rates({"a": 10.0, "b": 20.0}, higher_is_better=False) == {"a": 1.0, "b": 0.0}


def test_a_column_with_one_value_ranks_nobody() -> None:
    assert win_rates({"a": 0.5}) == {}


def test_mean_win_rate_averages_only_the_columns_a_row_is_ranked_in() -> None:
    table = {
        "a": {"acc": 0.9, "ppl": 30.0},
        "b": {"acc": 0.5, "ppl": 10.0},
        "c": {"acc": 0.7},
    }
    rates = mean_win_rates(table, {"acc": True, "ppl": False})
    # acc: a beats 2/2, b 0/2, c 1/2; ppl (lower better): b beats a, a beats nobody.
    assert rates == {"a": (1.0 + 0.0) / 2, "b": (0.0 + 1.0) / 2, "c": 0.5}


def test_min_max_normalise_maps_best_to_one_in_either_direction() -> None:
    assert min_max_normalise({"a": 0.25, "b": 0.5, "c": 0.75}) == {"a": 0.0, "b": 0.5, "c": 1.0}
    assert min_max_normalise({"a": 10.0, "b": 30.0}, higher_is_better=False) == {
        "a": 1.0,
        "b": 0.0,
    }
    assert min_max_normalise({"a": 3.0, "b": 3.0}) == {"a": 0.5, "b": 0.5}
