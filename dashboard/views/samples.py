"""Samples page: items of one run, or two side by side with the items that flipped."""

from __future__ import annotations

import leaderboard_ui as ui
import pandas as pd
import streamlit as st

from harness.leaderboard import (
    FLIP_FILTERS,
    binary_metrics,
    choice_probabilities,
    filter_pairs,
    flip_counts,
    flip_of,
    pair_samples,
    trajectory_rows,
)
from harness.leaderboard.flips import is_correct
from harness.store import GenerationOutputs

NONE = "— none (one run) —"

st.title("Samples")
snapshot = ui.require_snapshot()
labels = {ui.run_label(snapshot, run): run for run in snapshot.runs}
left, right = st.columns(2)
run_a = labels[left.selectbox("Run A", list(labels), key="run_a")]
b_label = right.selectbox("Run B", [NONE, *labels], key="run_b")
run_b = None if b_label == NONE else labels[b_label]

samples_a = ui.samples(run_a.run_id)
samples_b = ui.samples(run_b.run_id) if run_b else []
tasks = sorted({s.task for s in samples_a} | {s.task for s in samples_b})
if not tasks:
    st.info("These runs stored no samples.")
    st.stop()
task_col, metric_col, flip_col = st.columns(3)
task = task_col.selectbox("Task", ["all tasks", *tasks], key="task")
in_task = [s for s in samples_a if task in ("all tasks", s.task)]
in_task_b = [s for s in samples_b if task in ("all tasks", s.task)]
metrics = binary_metrics(in_task + in_task_b)
metric = metric_col.selectbox("Correct means", metrics or ["—"], key="metric")
which = flip_col.radio(
    "Show", FLIP_FILTERS if run_b else FLIP_FILTERS[:1], key="flips", horizontal=False
)

pairs = pair_samples(in_task, in_task_b)
if run_b:
    counts = flip_counts(pairs, metric)
    cols = st.columns(4)
    for col, name in zip(
        cols, ("correct→wrong", "wrong→correct", "both correct", "both wrong"), strict=True
    ):
        col.metric(name, counts[name])
    if counts["unpaired"]:
        st.caption(f"{counts['unpaired']} item(s) are in only one run (different documents).")
shown = filter_pairs(pairs, metric, which)
st.caption(f"{len(shown)} of {len(pairs)} items")

rows = []
for pair in shown:
    row: dict[str, object] = {
        "task": pair.task,
        "doc": pair.doc_id,
        "target": side.target if (side := pair.a or pair.b) else "",
        "A prediction": pair.a.prediction if pair.a else None,
        "A correct": is_correct(pair.a, metric),
    }
    if run_b:
        row |= {
            "B prediction": pair.b.prediction if pair.b else None,
            "B correct": is_correct(pair.b, metric),
            "flip": flip_of(pair, metric),
        }
    rows.append(row)
st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")

if shown:
    st.subheader("Item")
    picked = st.selectbox(
        "Item",
        range(len(shown)),
        format_func=lambda i: f"{shown[i].task} #{shown[i].doc_id}",
        key="item",
    )
    pair = shown[picked]
    sides = [("A", pair.a)] + ([("B", pair.b)] if run_b else [])
    for col, (name, sample) in zip(st.columns(len(sides)), sides, strict=True):
        with col:
            st.markdown(f"**Run {name}**")
            if sample is None:
                st.caption("not in this run")
                continue
            st.code(sample.outputs.prompt, language=None, wrap_lines=True)
            st.markdown(f"prediction: `{sample.prediction}` · target: `{sample.target}`")
            references = (
                sample.outputs.references if isinstance(sample.outputs, GenerationOutputs) else []
            )
            if references:
                st.markdown("references:\n" + "\n".join(f"- {r}" for r in references))
            probabilities = choice_probabilities(sample.outputs)
            if probabilities:
                st.dataframe(
                    pd.DataFrame(probabilities, columns=["choice", "probability"]),
                    hide_index=True,
                )
            steps = trajectory_rows(sample.outputs)
            if steps:  # an agent's trajectory (ReAct): a static table, every step in full
                st.markdown(f"**Trajectory** ({len(steps)} steps)")
                st.table(pd.DataFrame(steps).set_index("step"))
            st.json(sample.metrics, expanded=False)
