"""Chains page: the critique -> revision chains of Constitutional AI supervised stages."""

from __future__ import annotations

import leaderboard_ui as ui
import streamlit as st

from harness.leaderboard.chains import critique_chains

st.title("Critique chains")
stages = critique_chains(ui.require_variants())
if not stages:
    st.info(
        "No Constitutional AI run in this store yet. `harness train constitutional` keeps "
        "each red-team prompt, the model's answer, and every critique and revision against "
        "the principle drawn for it; the first few are shown here."
    )
    st.stop()
chosen = st.selectbox("Supervised stage", [s.variant for s in stages], key="chain_stage")
stage = next(s for s in stages if s.variant == chosen)
facts = [f"constitution `{stage.constitution}`", f"{len(stage.chains)} chains stored"]
if stage.examples is not None:
    facts.append(f"fine-tuned on {stage.examples} final answers")
if stage.children:
    facts.append(f"trained from it: {', '.join(stage.children)}")
st.caption(" · ".join(facts))
for number, chain in enumerate(stage.chains, start=1):
    with st.expander(f"{number}. {chain.prompt.strip()[:100]}", expanded=number == 1):
        st.markdown("**Prompt**")
        st.text(chain.prompt.strip())
        st.markdown("**Answer**")
        st.text(chain.answer)
        for index, step in enumerate(chain.rounds, start=1):
            st.markdown(f"**Round {index}** · principle `{step.principle}`")
            st.markdown("Critique")
            st.text(step.critique)
            st.markdown("Revision")
            st.text(step.revision)
        st.markdown("**Final answer** (the fine-tuning target)")
        st.text(chain.final)
