"""HELM's mean win rate and per-column normalisation, on plain mappings.

Scores on different metrics (accuracy in [0, 1], BLEU in [0, 100], perplexity where lower
is better) cannot be averaged raw; HELM ranks models instead: in each column a model's win
rate is the share of the other models it beats (a tie counts as half a win), and its mean
win rate averages that over the columns it has a value in.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping
from typing import TypeVar

R = TypeVar("R", bound=Hashable)
C = TypeVar("C", bound=Hashable)

Table = Mapping[R, Mapping[C, float]]


def _present(value: float | None) -> bool:
    return value is not None and not math.isnan(value)


def column_values(table: Mapping[R, Mapping[C, float]], column: C) -> dict[R, float]:
    """The finite values of one column, by row."""
    out: dict[R, float] = {}
    for row, cells in table.items():
        value = cells.get(column)
        if value is not None and _present(value):
            out[row] = value
    return out


def win_rates(values: Mapping[R, float], higher_is_better: bool = True) -> dict[R, float]:
    """Each row's share of the other rows it beats in one column; ties count half.

    A column with fewer than two values ranks nobody and gives an empty result.
    """
    if len(values) < 2:
        return {}
    sign = 1.0 if higher_is_better else -1.0
    rates: dict[R, float] = {}
    for row, value in values.items():
        wins = 0.0
        for other, other_value in values.items():
            if other == row:
                continue
            diff = sign * (value - other_value)
            wins += 1.0 if diff > 0 else 0.5 if diff == 0 else 0.0
        rates[row] = wins / (len(values) - 1)
    return rates


def mean_win_rates(
    table: Mapping[R, Mapping[C, float]], higher_is_better: Mapping[C, bool]
) -> dict[R, float | None]:
    """HELM's mean win rate per row; ``None`` for a row ranked in no column."""
    per_row: dict[R, list[float]] = {row: [] for row in table}
    for column, hib in higher_is_better.items():
        for row, rate in win_rates(column_values(table, column), hib).items():
            per_row[row].append(rate)
    return {row: (sum(rates) / len(rates) if rates else None) for row, rates in per_row.items()}


def min_max_normalise(values: Mapping[R, float], higher_is_better: bool = True) -> dict[R, float]:
    """Rescale one column to [0, 1], 1 being the best row; a column of equal values gives 0.5.

    Makes columns on different scales (and directions) averageable for the "normalised" view.
    """
    if not values:
        return {}
    low, high = min(values.values()), max(values.values())
    if high == low:
        return dict.fromkeys(values, 0.5)
    scaled = {row: (value - low) / (high - low) for row, value in values.items()}
    return scaled if higher_is_better else {row: 1.0 - v for row, v in scaled.items()}
