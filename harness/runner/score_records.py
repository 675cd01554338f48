"""A metric's result as the store keeps it, and back: the one place the two shapes meet.

``MetricResult`` is what metrics compute (extra notes are strings); ``ScoreRecord`` adds the
run, the scope and the task or aggregate name. A resumed run reads its finished tasks'
scores back through the same pair, so both directions stay in step.
"""

from __future__ import annotations

from collections.abc import Sequence

from harness.metrics import MetricResult
from harness.store import ScoreRecord, ScoreScope


def to_score_records(
    run_id: str, scope: ScoreScope, name: str, results: Sequence[MetricResult]
) -> list[ScoreRecord]:
    """One store row per metric result of the task or aggregate ``name``."""
    return [
        ScoreRecord(
            run_id=run_id,
            scope=scope,
            name=name,
            metric=r.name,
            value=r.value,
            stderr=r.stderr,
            ci_low=r.ci_low,
            ci_high=r.ci_high,
            n=r.n,
            higher_is_better=r.higher_is_better,
            extra=dict(r.extra),
        )
        for r in results
    ]


def to_metric_result(score: ScoreRecord) -> MetricResult:
    """The metric result a stored score was written from."""
    return MetricResult(
        name=score.metric,
        value=score.value,
        stderr=score.stderr,
        ci_low=score.ci_low,
        ci_high=score.ci_high,
        n=score.n,
        higher_is_better=score.higher_is_better,
        extra={k: str(v) for k, v in score.extra.items()},
    )
