"""Gates page: stored gate decisions, each with the comparison table behind its verdict."""

from __future__ import annotations

import leaderboard_ui as ui
import pandas as pd
import streamlit as st

from harness.leaderboard.gates import comparison_rows, decision_rows

VERDICT_COLOUR = {"pass": "green", "regress": "red", "inconclusive": "orange"}

st.title("Gates")
snapshot = ui.require_snapshot()
decisions = snapshot.gate_decisions
if not decisions:
    st.info(
        "No gate decisions stored yet. Record one with\n\n"
        "```\nharness gate --baseline RUN --candidate RUN --margin acc=0.01\n```"
    )
    st.stop()

st.dataframe(pd.DataFrame(decision_rows(decisions)), hide_index=True, width="stretch")
labels = {
    f"#{d.decision_id} · {d.verdict} · {d.candidate_run_id[:8]} vs {d.baseline_run_id[:8]}": d
    for d in decisions
}
chosen = labels[st.selectbox("Decision", list(labels), key="decision")]
st.markdown(
    f"Verdict: :{VERDICT_COLOUR.get(chosen.verdict, 'gray')}[**{chosen.verdict}**]"
    f" (policy {chosen.policy}, exit code {chosen.exit_code})"
)
st.dataframe(pd.DataFrame(comparison_rows(chosen)), hide_index=True, width="stretch")
for note in chosen.comparison.get("notes", []) or []:
    st.caption(str(note))
