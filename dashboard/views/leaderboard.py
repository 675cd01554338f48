"""Leaderboard page: one row per variant, a column per suite (and metric), win rates, CIs."""

from __future__ import annotations

import leaderboard_ui as ui
import pandas as pd
import streamlit as st

from harness.leaderboard import (
    SORT_KEYS,
    Column,
    LeaderboardFilter,
    available_columns,
    build_leaderboard,
    default_columns,
    format_ci,
    format_parameters,
    latest_runs,
    leaderboard_csv,
    leaderboard_json,
    variant_of,
)
from harness.leaderboard.charts import bars_with_error

st.title("Leaderboard")
snapshot = ui.require_snapshot()

available = available_columns(snapshot)
all_columns = [Column(suite, metric) for suite, metrics in available.items() for metric in metrics]
by_label = {c.label: c for c in all_columns}
variants = [(key, variant_of(snapshot, run)) for (key, _), run in latest_runs(snapshot).items()]
kinds = sorted({v.kind for _, v in variants})
dtypes = sorted({key.dtype for key, _ in variants})
sizes = sorted({v.n_parameters for _, v in variants})

left, middle, right = st.columns(3)
chosen_kinds = left.multiselect("Variant kind", kinds, key="kinds", placeholder="all kinds")
chosen_suites = middle.multiselect("Suite", list(available), key="suites", placeholder="all suites")
chosen_dtypes = right.multiselect("Precision", dtypes, key="dtypes", placeholder="all")
labels = st.multiselect(
    "Columns (suite and metric)",
    list(by_label),
    default=[c.label for c in default_columns(snapshot)],
    key="columns",
    help="each suite's headline metric by default; add any stored metric",
)
size_range = (sizes[0], sizes[-1]) if sizes else (0, 0)
if len(sizes) > 1:
    size_range = st.select_slider(
        "Size (parameters)",
        options=sizes,
        value=(sizes[0], sizes[-1]),
        format_func=format_parameters,
        key="size",
    )
toggle, sort = st.columns(2)
normalised = toggle.toggle(
    "Normalised (per column: 0 = worst shown, 1 = best)", key="normalised", value=False
)
sort_by = sort.selectbox("Sort by", [*SORT_KEYS, *labels], key="sort_by")

board = build_leaderboard(
    snapshot,
    [by_label[label] for label in labels],
    LeaderboardFilter(
        kinds=tuple(chosen_kinds),
        suites=tuple(chosen_suites),
        dtypes=tuple(chosen_dtypes),
        min_parameters=size_range[0],
        max_parameters=size_range[1],
    ),
    normalised=normalised,
    sort_by=sort_by,
)
for note in board.notes:
    st.warning(note)
if board.is_empty:
    st.info("No complete, scored run matches these filters.")
    st.stop()

table = []
for rank, row in enumerate(board.rows, start=1):
    record: dict[str, object] = {
        "#": rank,
        "model": row.name,
        "kind": row.variant.kind,
        "parameters": format_parameters(row.variant.n_parameters),
        "precision": row.key.dtype,
    }
    for column in board.columns:
        cell = row.cells.get(column)
        record[column.label] = row.value(column, normalised)
        record[f"{column.label} 95% CI"] = (
            "" if cell is None else format_ci(cell.ci_low, cell.ci_high)
        )
    record["mean"] = row.mean
    record["win rate"] = row.win_rate
    table.append(record)
frame = pd.DataFrame(table)
number_format = {
    label: st.column_config.NumberColumn(format="%.3f")
    for label in [*(c.label for c in board.columns), "mean", "win rate"]
}
st.dataframe(frame, hide_index=True, width="stretch", column_config=number_format)
st.caption(
    "Each cell is the variant's latest complete run on the suite; 95% CIs are of the raw "
    "scores. Win rate: HELM's mean win rate, the share of the other shown variants a model "
    "beats per column (ties count half), averaged over its columns."
    + (
        " Derived cells (suites without an aggregate) are macro means over tasks."
        if any(cell.derived for row in board.rows for cell in row.cells.values())
        else ""
    )
)

csv_col, json_col = st.columns(2)
csv_col.download_button(
    "Export CSV", leaderboard_csv(board), file_name="leaderboard.csv", mime="text/csv"
)
json_col.download_button(
    "Export JSON", leaderboard_json(board), file_name="leaderboard.json", mime="application/json"
)

for column in board.columns:
    bars = [
        {
            "model": f"{row.name} ({row.key.dtype})",
            "value": cell.value,
            "ci_low": cell.ci_low,
            "ci_high": cell.ci_high,
        }
        for row in board.rows
        if (cell := row.cells.get(column)) is not None
    ]
    st.altair_chart(bars_with_error(bars, "model", title=column.label), width="stretch")
