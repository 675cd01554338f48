"""The leaderboard: one row per variant (and precision), one column per suite and metric.

Each row takes, per suite, the variant's latest complete run. Mean and HELM-style mean win
rate are computed over the rows left after filtering, as HELM does over the models shown.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial

from harness.leaderboard.snapshot import Snapshot
from harness.leaderboard.suite_scores import Cell, suite_cell, suite_metrics
from harness.leaderboard.variants import VariantInfo, registered_variant_info, unknown_variant
from harness.leaderboard.winrate import column_values, mean_win_rates, min_max_normalise
from harness.store import RunRecord

SORT_KEYS = ("win rate", "mean", "name")


@dataclass(frozen=True)
class Column:
    """A suite and one of its metrics."""

    suite: str
    metric: str

    @property
    def label(self) -> str:
        return f"{self.suite} {self.metric}"


@dataclass(frozen=True)
class RowKey:
    """A variant evaluated at one precision: the unit the leaderboard ranks."""

    model_hash: str
    dtype: str


@dataclass(frozen=True)
class LeaderboardFilter:
    """What the user narrowed the board to; an empty tuple means "all"."""

    kinds: tuple[str, ...] = ()
    suites: tuple[str, ...] = ()
    dtypes: tuple[str, ...] = ()
    min_parameters: int | None = None
    max_parameters: int | None = None

    def keeps(self, variant: VariantInfo, dtype: str) -> bool:
        """Whether a row passes the filter."""
        if self.kinds and variant.kind not in self.kinds:
            return False
        if self.dtypes and dtype not in self.dtypes:
            return False
        if self.min_parameters is not None and variant.n_parameters < self.min_parameters:
            return False
        return self.max_parameters is None or variant.n_parameters <= self.max_parameters


@dataclass(frozen=True)
class LeaderboardRow:
    """One ranked variant with its cells, normalised values, mean and mean win rate."""

    key: RowKey
    variant: VariantInfo
    cells: dict[Column, Cell]
    normalised: dict[Column, float]
    mean: float | None
    win_rate: float | None

    @property
    def name(self) -> str:
        return self.variant.name

    def value(self, column: Column, normalised: bool = False) -> float | None:
        """The cell's raw or normalised value, ``None`` when the variant lacks it."""
        if normalised:
            return self.normalised.get(column)
        cell = self.cells.get(column)
        return None if cell is None else cell.value


@dataclass(frozen=True)
class Leaderboard:
    """Rows (sorted), their columns and notes on what the reader should be careful about."""

    columns: list[Column]
    rows: list[LeaderboardRow]
    normalised: bool
    notes: list[str] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not self.rows


def available_columns(snapshot: Snapshot) -> dict[str, list[str]]:
    """Every suite with complete runs and the metrics they stored, suites by name."""
    metrics: dict[str, list[str]] = {}
    for run in snapshot.complete_runs():
        known = metrics.setdefault(run.suite, [])
        for metric in suite_metrics(snapshot.scores.get(run.run_id, []), run.suite):
            if metric not in known:
                known.append(metric)
    return dict(sorted(metrics.items()))


def default_columns(snapshot: Snapshot) -> list[Column]:
    """One column per suite: its headline metric (the suite aggregate's first metric)."""
    return [Column(suite, metrics[0]) for suite, metrics in available_columns(snapshot).items()]


def latest_runs(snapshot: Snapshot) -> dict[tuple[RowKey, str], RunRecord]:
    """The newest complete run of every (variant and precision, suite)."""
    latest: dict[tuple[RowKey, str], RunRecord] = {}
    for run in snapshot.complete_runs():  # newest first, so the first seen wins
        latest.setdefault((RowKey(run.model_hash, run.dtype), run.suite), run)
    return latest


def variant_of(snapshot: Snapshot, run: RunRecord) -> VariantInfo:
    """The variant a run evaluated, as the registry knows it (else from the model record)."""
    model = snapshot.models.get(run.model_hash)
    if model is None:
        return unknown_variant(run.model_hash, run.model_spec)
    return registered_variant_info(model, snapshot.variants)


def build_leaderboard(
    snapshot: Snapshot,
    columns: Sequence[Column] | None = None,
    where: LeaderboardFilter | None = None,
    *,
    normalised: bool = False,
    sort_by: str = "win rate",
) -> Leaderboard:
    """Rank the variants of ``snapshot`` on ``columns`` (default: each suite's headline)."""
    where = where or LeaderboardFilter()
    wanted = list(columns) if columns is not None else default_columns(snapshot)
    if where.suites:
        wanted = [c for c in wanted if c.suite in where.suites]
    latest = latest_runs(snapshot)
    variants: dict[RowKey, VariantInfo] = {}
    cells: dict[RowKey, dict[Column, Cell]] = {}
    for (key, suite), run in latest.items():
        variant = variant_of(snapshot, run)
        if not where.keeps(variant, key.dtype):
            continue
        variants[key] = variant
        row_cells = cells.setdefault(key, {})
        for column in (c for c in wanted if c.suite == suite):
            cell = suite_cell(snapshot.scores.get(run.run_id, []), suite, column.metric, run.run_id)
            if cell is not None:
                row_cells[column] = cell
    keys = [key for key in variants if cells.get(key)]
    values = {key: {col: cell.value for col, cell in cells[key].items()} for key in keys}
    direction = _directions(wanted, cells)
    normal: dict[RowKey, dict[Column, float]] = {key: {} for key in keys}
    for column, hib in direction.items():
        for key, scaled in min_max_normalise(column_values(values, column), hib).items():
            normal[key][column] = scaled
    wins = mean_win_rates(values, direction)
    rows = [
        LeaderboardRow(
            key=key,
            variant=variants[key],
            cells=cells[key],
            normalised=normal[key],
            mean=_mean(list((normal[key] if normalised else values[key]).values())),
            win_rate=wins.get(key),
        )
        for key in keys
    ]
    used = [c for c in wanted if any(c in row.cells for row in rows)]
    return Leaderboard(
        columns=used,
        rows=sort_rows(rows, sort_by, normalised),
        normalised=normalised,
        notes=_comparability_notes(snapshot, latest, set(keys), used),
    )


def sort_rows(
    rows: Sequence[LeaderboardRow], sort_by: str, normalised: bool = False
) -> list[LeaderboardRow]:
    """Rows best first by ``win rate``, ``mean``, ``name`` or a column label; missing last."""
    if sort_by == "name":
        return sorted(rows, key=lambda r: (r.name.lower(), r.key.dtype))
    if sort_by in ("win rate", "mean"):

        def summary(row: LeaderboardRow) -> float | None:
            return row.win_rate if sort_by == "win rate" else row.mean

        return _best_first(rows, summary, higher_is_better=True)
    for row in rows:
        for column, cell in row.cells.items():
            if column.label == sort_by:
                hib = cell.higher_is_better or normalised
                return _best_first(
                    rows, partial(_row_value, column=column, normalised=normalised), hib
                )
    raise ValueError(f"unknown sort key {sort_by!r}")


def _row_value(row: LeaderboardRow, column: Column, normalised: bool) -> float | None:
    return row.value(column, normalised)


def _best_first(
    rows: Sequence[LeaderboardRow],
    score: Callable[[LeaderboardRow], float | None],
    higher_is_better: bool,
) -> list[LeaderboardRow]:
    sign = -1.0 if higher_is_better else 1.0

    def key(row: LeaderboardRow) -> tuple[bool, float, str]:
        value = score(row)
        if value is None or math.isnan(value):
            return (True, 0.0, row.name.lower())
        return (False, sign * value, row.name.lower())

    return sorted(rows, key=key)


def _directions(
    columns: Sequence[Column], cells: Mapping[RowKey, Mapping[Column, Cell]]
) -> dict[Column, bool]:
    direction: dict[Column, bool] = {}
    for column in columns:
        for row_cells in cells.values():
            if column in row_cells:
                direction[column] = row_cells[column].higher_is_better
                break
    return direction


def _mean(values: list[float]) -> float | None:
    finite = [v for v in values if not math.isnan(v)]
    return sum(finite) / len(finite) if finite else None


def _comparability_notes(
    snapshot: Snapshot,
    latest: Mapping[tuple[RowKey, str], RunRecord],
    shown: set[RowKey],
    columns: Sequence[Column],
) -> list[str]:
    """Warn when a suite's runs scored different items (other --limit, --shots or data)."""
    notes: list[str] = []
    for suite in sorted({c.suite for c in columns}):
        signatures = set()
        for (key, run_suite), run in latest.items():
            if run_suite == suite and key in shown:
                results = snapshot.task_results.get(run.run_id, [])
                signatures.add(frozenset((r.task, r.task_hash, r.n_items) for r in results))
        if len(signatures) > 1:
            notes.append(
                f"{suite}: the runs shown scored different items or prompts (other --limit, "
                "--shots or data); compare them with care or re-run with the same flags"
            )
    return notes
