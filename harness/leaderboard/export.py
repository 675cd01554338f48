"""The leaderboard as flat records, CSV and JSON: what the export buttons and reports write."""

from __future__ import annotations

import csv
import io
import json
import math
from typing import Any

from harness.leaderboard.table import Leaderboard


def _finite(value: float | None) -> float | None:
    return None if value is None or math.isnan(value) else value


def leaderboard_records(board: Leaderboard) -> list[dict[str, Any]]:
    """One flat dict per row: labels, then per column value and 95% CI, then mean, win rate.

    Values are raw or normalised as the board was built; CIs are always of the raw values.
    """
    records = []
    for rank, row in enumerate(board.rows, start=1):
        record: dict[str, Any] = {
            "rank": rank,
            "model": row.name,
            "kind": row.variant.kind,
            "parameters": row.variant.n_parameters,
            "dtype": row.key.dtype,
            "model_hash": row.key.model_hash,
        }
        for column in board.columns:
            cell = row.cells.get(column)
            record[column.label] = _finite(row.value(column, board.normalised))
            record[f"{column.label} ci_low"] = None if cell is None else _finite(cell.ci_low)
            record[f"{column.label} ci_high"] = None if cell is None else _finite(cell.ci_high)
        record["mean"] = _finite(row.mean)
        record["win_rate"] = _finite(row.win_rate)
        records.append(record)
    return records


def leaderboard_csv(board: Leaderboard) -> str:
    """The records as CSV text (header row first)."""
    records = leaderboard_records(board)
    if not records:
        return ""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(records[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(records)
    return buffer.getvalue()


def leaderboard_json(board: Leaderboard) -> str:
    """The records as a JSON document with the columns and notes."""
    payload = {
        "normalised": board.normalised,
        "columns": [{"suite": c.suite, "metric": c.metric} for c in board.columns],
        "rows": leaderboard_records(board),
        "notes": board.notes,
    }
    return json.dumps(payload, indent=2) + "\n"


def format_ci(low: float | None, high: float | None) -> str:
    """``[0.412, 0.587]``, or an empty string when the interval is unknown."""
    if low is None or high is None or math.isnan(low) or math.isnan(high):
        return ""
    return f"[{low:.3f}, {high:.3f}]"
