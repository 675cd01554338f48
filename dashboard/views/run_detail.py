"""Run detail page: per-task scores, per-category breakdowns, plots and provenance."""

from __future__ import annotations

import leaderboard_ui as ui
import pandas as pd
import streamlit as st

from harness.leaderboard.charts import bars_with_error, radar
from harness.leaderboard.run_detail import (
    breakdown_metrics,
    category_breakdown,
    provenance,
    score_rows,
    task_bars,
)
from harness.leaderboard.table import latest_runs, variant_of

st.title("Run detail")
snapshot = ui.require_snapshot()
labels = {ui.run_label(snapshot, run): run for run in snapshot.runs}
run = labels[st.selectbox("Run", list(labels), key="run")]
scores = snapshot.scores.get(run.run_id, [])
model = snapshot.models.get(run.model_hash)

status, wall, tokens, items = st.columns(4)
status.metric("Status", run.status)
wall.metric("Wall time", f"{run.wall_time_s:.1f} s" if run.wall_time_s is not None else "—")
tokens.metric("Tokens", f"{run.tokens_processed:,}" if run.tokens_processed else "—")
items.metric("Items", sum(r.n_items for r in snapshot.task_results.get(run.run_id, [])))
if run.error:
    st.error(run.error)

aggregates = score_rows(scores, "aggregate")
if aggregates:
    st.subheader("Suite aggregates")
    st.dataframe(pd.DataFrame(aggregates), hide_index=True, width="stretch")

categories = breakdown_metrics(scores, run.suite)
if categories:
    st.subheader("Per category")
    metric = st.selectbox("Category metric", categories, key="category_metric")
    rows = category_breakdown(scores, run.suite, metric)
    st.altair_chart(bars_with_error(rows, "category", title=metric), width="stretch")
    # The radar puts this run's model beside the other models' latest runs on the suite.
    series = {}
    for (_, suite), other in latest_runs(snapshot).items():
        if suite == run.suite:
            values = category_breakdown(snapshot.scores.get(other.run_id, []), suite, metric)
            series[f"{variant_of(snapshot, other).name} ({other.dtype})"] = {
                r["category"]: r["value"] for r in values if r["value"] is not None
            }
    if len(rows) >= 3:
        st.altair_chart(radar(series, title=f"{metric} per category, latest run of each model"))

st.subheader("Per task")
task_rows = score_rows(scores, "task")
st.dataframe(pd.DataFrame(task_rows), hide_index=True, width="stretch")
task_metrics = list(dict.fromkeys(r["metric"] for r in task_rows))
if task_metrics:
    chosen = st.selectbox("Task metric", task_metrics, key="task_metric")
    st.altair_chart(
        bars_with_error(task_bars(scores, chosen), "task", title=chosen), width="stretch"
    )

st.subheader("Provenance")
st.json(provenance(run, model, snapshot.task_results.get(run.run_id, [])), expanded=1)
