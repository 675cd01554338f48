"""The harness-lab dashboard: leaderboard, lineage, run detail, samples, training, critique
chains and gates.

Start it with ``harness dashboard [--store PATH]`` or
``streamlit run dashboard/app.py -- --store PATH``. Every number comes from
:mod:`harness.leaderboard`; the pages only lay it out.
"""

from __future__ import annotations

import leaderboard_ui as ui
import streamlit as st

st.set_page_config(page_title="harness-lab leaderboard", layout="wide")
ui.store_sidebar()

pages = [
    st.Page(
        "views/leaderboard.py", title="Leaderboard", icon=":material/leaderboard:", default=True
    ),
    st.Page("views/lineage.py", title="Lineage", icon=":material/account_tree:"),
    st.Page("views/run_detail.py", title="Run detail", icon=":material/search:"),
    st.Page("views/samples.py", title="Samples", icon=":material/list:"),
    st.Page("views/training.py", title="Training", icon=":material/show_chart:"),
    st.Page("views/chains.py", title="Critique chains", icon=":material/rate_review:"),
    st.Page("views/gates.py", title="Gates", icon=":material/traffic:"),
]
st.navigation(pages).run()
