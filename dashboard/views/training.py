"""Training page: loss curves and RL reward/KL curves of the recipe runs behind variants."""

from __future__ import annotations

import leaderboard_ui as ui
import streamlit as st

from harness.leaderboard.charts import curves
from harness.leaderboard.training import training_curves

st.title("Training")
snapshot = ui.require_snapshot()
trained = {
    model.name: found for model in snapshot.models.values() if (found := training_curves(model))
}
if not trained:
    st.info(
        "No training curves stored yet. Variants trained with `harness train --recipe …` "
        "(SFT, LoRA, RLHF, DPO, compression) show their loss, reward and KL curves here."
    )
    st.stop()
for name, found in sorted(trained.items()):
    st.subheader(name)
    points = [
        {"curve": curve, "step": step, "value": value}
        for curve, series in found.items()
        for step, value in series
    ]
    st.altair_chart(curves(points, title=name), width="stretch")
