"""A run's number for one (suite, metric) column, with its uncertainty.

A suite with an aggregate (MMLU's ``mmlu`` acc) has the number stored already. A suite
without one (DialogSum's 0/1/3-shot tasks) gets the macro mean over its tasks, with the
standard error of that mean from the tasks' standard errors (tasks are independent item
sets) and a normal 95% interval; such cells are marked ``derived``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from harness.store import ScoreRecord

Z95 = 1.959963984540054


@dataclass(frozen=True)
class Cell:
    """One leaderboard cell: a value, its 95% interval when known, and where it came from."""

    value: float
    ci_low: float | None
    ci_high: float | None
    stderr: float | None
    n: int
    higher_is_better: bool
    run_id: str
    derived: bool = False


def suite_metrics(scores: Sequence[ScoreRecord], suite: str) -> list[str]:
    """Metrics a run has for ``suite``: the suite aggregate's first, then the tasks', in order."""
    ordered: list[str] = []
    for score in scores:
        if score.scope == "aggregate" and score.name == suite and score.metric not in ordered:
            ordered.append(score.metric)
    for score in scores:
        if score.scope == "task" and score.metric not in ordered:
            ordered.append(score.metric)
    return ordered


def suite_cell(scores: Sequence[ScoreRecord], suite: str, metric: str, run_id: str) -> Cell | None:
    """The run's value of ``metric`` over ``suite``, or ``None`` when the run lacks it."""
    for score in scores:
        if score.scope == "aggregate" and score.name == suite and score.metric == metric:
            return _from_score(score)
    tasks = [s for s in scores if s.scope == "task" and s.metric == metric]
    tasks = [s for s in tasks if not math.isnan(s.value)]
    if not tasks:
        return None
    if len(tasks) == 1:
        return _from_score(tasks[0])
    value = sum(s.value for s in tasks) / len(tasks)
    errors = [s.stderr for s in tasks]
    stderr = (
        math.sqrt(sum(e * e for e in errors if e is not None)) / len(tasks)
        if all(e is not None for e in errors)
        else None
    )
    return Cell(
        value=value,
        ci_low=None if stderr is None else value - Z95 * stderr,
        ci_high=None if stderr is None else value + Z95 * stderr,
        stderr=stderr,
        n=sum(s.n for s in tasks),
        higher_is_better=tasks[0].higher_is_better,
        run_id=run_id,
        derived=True,
    )


def _from_score(score: ScoreRecord) -> Cell | None:
    if math.isnan(score.value):
        return None
    return Cell(
        value=score.value,
        ci_low=score.ci_low,
        ci_high=score.ci_high,
        stderr=score.stderr,
        n=score.n,
        higher_is_better=score.higher_is_better,
        run_id=score.run_id,
    )
