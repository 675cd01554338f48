"""Lineage page: the variant tree, each edge with its recipe and paired difference vs parent."""

from __future__ import annotations

import leaderboard_ui as ui
import pandas as pd
import streamlit as st

from harness.leaderboard import (
    LineageNode,
    edge_runs,
    format_parameters,
    has_edges,
    lineage_forest,
    safe_compare_edge,
)
from harness.leaderboard.lineage import EdgeDiff
from harness.store import StoreLocation, open_store

STATUS_COLOUR = {"gain": "green", "regression": "red", "no significant change": "gray"}

st.title("Lineage")
snapshot = ui.require_snapshot()
forest = lineage_forest(snapshot)


def runs_table(node: LineageNode) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "run": run.run_id,
                "suite": run.suite,
                "status": run.status,
                "precision": run.dtype,
                "created": f"{run.created_at:%Y-%m-%d %H:%M}",
            }
            for run in node.runs
        ]
    )


@st.cache_data(
    show_spinner="comparing child and parent on paired items…",
    hash_funcs={StoreLocation: lambda location: location.key},
)
def edge_diffs(
    store: StoreLocation, parent_run: str, child_run: str
) -> tuple[list[EdgeDiff], str | None]:
    with open_store(store, read_only=True) as opened:
        return safe_compare_edge(opened, opened.get_run(parent_run), opened.get_run(child_run))


if not has_edges(forest):
    st.info(
        "No variant has a recorded parent yet, so every model is its own root. Variants "
        "trained here (`harness train --recipe …`, with the variant registry) appear as "
        "children of their source model, each edge labelled with its recipe and its paired "
        "difference against the parent."
    )
    st.subheader("Models and their runs")
    for root in forest:
        v = root.variant
        with st.expander(
            f"{v.name} · {v.kind} · {format_parameters(v.n_parameters)} · {len(root.runs)} run(s)",
            expanded=len(forest) <= 3,
        ):
            st.caption(f"weights {v.model_hash[:16]} · source {v.source}")
            st.dataframe(runs_table(root), hide_index=True, width="stretch")
    st.stop()

metrics = st.multiselect(
    "Metrics on the edges",
    sorted({s.metric for scores in snapshot.scores.values() for s in scores}),
    key="edge_metrics",
    placeholder="all primary metrics",
)
for root in forest:
    st.subheader(root.variant.name)
    parents = {id(child): node for _, node in root.walk() for child in node.children}
    for depth, node in root.walk():
        v = node.variant
        # Streamlit trims leading spaces, so depth shows as a bordered box and a marker.
        with st.container(border=depth > 0):
            st.markdown(
                f"{'··· ' * (depth - 1)}{'↳ ' if depth else ''}**{v.name}** · {v.kind} · "
                f"{format_parameters(v.n_parameters)} · {len(node.runs)} run(s)"
            )
            parent = parents.get(id(node))
            if parent is None:
                continue
            recipe = v.recipe or "unknown recipe"
            pairs = edge_runs(parent, node)
            if not pairs:
                st.caption(f"from **{parent.variant.name}** via `{recipe}`; no suite run by both")
            for parent_run, child_run in pairs:
                diffs, note = edge_diffs(ui.current_store(), parent_run.run_id, child_run.run_id)
                shown = [d for d in diffs if not metrics or d.metric in metrics]
                parts = [
                    f":{STATUS_COLOUR[d.status]}[{d.metric} {d.difference:+.3f} "
                    f"[{d.ci_low:+.3f}, {d.ci_high:+.3f}]]"
                    for d in shown
                ]
                st.markdown(
                    f"from **{parent.variant.name}** via `{recipe}` · vs parent on "
                    f"{parent_run.suite}: " + (", ".join(parts) or note or "no shared metric")
                )
