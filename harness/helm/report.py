"""HELM's seven families side by side, one row per task, from a run's stored scores.

A task's accuracy metric is the one its robustness score is the worst case of (``acc`` for
``acc_robustness``, ``rouge2`` for ``rouge2_robustness``); families a task does not report
(calibration for generation, toxicity for multiple choice) are left empty.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from harness.store import ScoreRecord

ROBUSTNESS_SUFFIX = "_robustness"

# (column, metric, decimals): the families after accuracy, robustness and fairness.
COLUMNS: tuple[tuple[str, str, int], ...] = (
    ("ECE", "ece_10bin", 3),
    ("sel@10", "selective_acc@10", 3),
    ("bias TVD", "gender_representation_tvd", 3),
    ("toxic", "toxic_fraction", 3),
    ("s/req", "eff_s_per_request", 3),
    ("tok in", "eff_tokens_in", 1),
    ("tok out", "eff_tokens_out", 1),
    ("tok/s", "eff_tokens_per_s", 0),
    ("RSS MiB", "eff_peak_rss_mib", 0),
)
HEADER = ("task", "n", "metric", "accuracy", "robust", "fair", *(c for c, _, _ in COLUMNS))


@dataclass(frozen=True)
class FamilyRow:
    """One task's families as display strings."""

    cells: tuple[str, ...]


def _cell(score: ScoreRecord | None, decimals: int) -> str:
    if score is None:
        return ""
    return "nan" if math.isnan(score.value) else f"{score.value:.{decimals}f}"


def family_rows(scores: Sequence[ScoreRecord]) -> list[FamilyRow]:
    """A row per task that has a robustness score, in task-name order."""
    by_task: dict[str, dict[str, ScoreRecord]] = {}
    for score in scores:
        if score.scope == "task":
            by_task.setdefault(score.name, {})[score.metric] = score
    rows = []
    for task in sorted(by_task):
        metrics = by_task[task]
        bases = [m[: -len(ROBUSTNESS_SUFFIX)] for m in metrics if m.endswith(ROBUSTNESS_SUFFIX)]
        if not bases:
            continue
        base = bases[0]
        n = max(s.n for s in metrics.values())
        rows.append(
            FamilyRow(
                (
                    task,
                    str(n),
                    base,
                    _cell(metrics.get(base), 3),
                    _cell(metrics.get(base + ROBUSTNESS_SUFFIX), 3),
                    _cell(metrics.get(base + "_fairness"), 3),
                    *(_cell(metrics.get(metric), d) for _, metric, d in COLUMNS),
                )
            )
        )
    return rows
