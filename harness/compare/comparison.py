"""Compare two runs item by item: one row per task and metric, one per pooled suite metric.

Each row holds both values on the paired items, the difference with its 95% interval, a
p-value for "no difference" (Holm-adjusted across the tasks of the suite), the minimum
detectable effect and a verdict. The gate's verdict comes from the *primary* rows: per
metric, the suite row pooling the items of every task when the metric appears in several
tasks, else its single task row. Per-task rows of a pooled metric are shown too, and one
of them fails the gate only as a regression that survives Holm's correction.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from harness.compare.item_values import PairedValues, paired_values, pool
from harness.compare.paired_stats import (
    PairedEstimate,
    binary_paired_difference,
    bootstrap_corpus_difference,
    bootstrap_mean_difference,
    holm_adjust,
    minimum_detectable_effect,
)
from harness.compare.pairing import PairedTask
from harness.compare.verdict import Verdict, margin_for, overall, verdict
from harness.errors import HarnessError


@dataclass(frozen=True)
class CompareSettings:
    """The knobs of a comparison; all seeded, so the same runs always give the same table."""

    confidence: float = 0.95
    power: float = 0.8
    n_resamples: int = 1000
    n_permutations: int = 10_000
    n_corpus_permutations: int = 1000
    seed: int = 0


DEFAULT_SETTINGS = CompareSettings()


@dataclass(frozen=True)
class ComparisonRow:
    """One metric on one task (scope ``task``) or pooled over the suite (scope ``suite``)."""

    scope: str
    name: str
    metric: str
    method: str
    n: int
    higher_is_better: bool
    baseline: float
    candidate: float
    difference: float
    ci_low: float
    ci_high: float
    p_value: float
    p_holm: float
    mde: float
    margin: float
    verdict: Verdict
    primary: bool


@dataclass(frozen=True)
class Comparison:
    """Two runs compared: the rows, the overall verdict and notes on what was left out."""

    baseline_run_id: str
    candidate_run_id: str
    suite: str
    rows: list[ComparisonRow]
    verdict: Verdict
    margins: dict[str, float]
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready form (the ``--json`` output and the stored decision)."""
        return asdict(self)


def compare_paired(
    suite: str,
    tasks: Sequence[PairedTask],
    metrics: Mapping[str, Sequence[str]],
    higher_is_better: Mapping[str, bool],
    margins: Mapping[str, float],
    settings: CompareSettings = DEFAULT_SETTINGS,
) -> tuple[list[ComparisonRow], Verdict]:
    """The rows and verdict for paired tasks; ``metrics[task]`` names the metrics to compare."""
    values: dict[str, list[tuple[str, PairedValues]]] = {}
    for task in tasks:
        for metric in metrics.get(task.task, ()):
            pv = paired_values(metric, task.baseline, task.candidate)
            values.setdefault(metric, []).append((task.task, pv))
    used_keys: set[str] = set()
    rows: list[ComparisonRow] = []
    for metric, per_task in values.items():
        hib = higher_is_better.get(metric, True)
        pooled = pool([pv for _, pv in per_task]) if len(per_task) > 1 else None
        # A task with one paired item (one prompt per group, say) counts in the pooled
        # row only: a difference of one item has no interval.
        per_task = [(name, pv) for name, pv in per_task if len(pv.baseline) >= 2 or pooled is None]
        estimates = [_estimate(pv, settings) for _, pv in per_task]
        adjusted = holm_adjust([e.p_value for e in estimates])
        for (name, pv), estimate, p_holm in zip(per_task, estimates, adjusted, strict=True):
            margin, key = margin_for(margins, name, metric)
            used_keys.update([key] if key else [])
            row = _row("task", name, pv, estimate, p_holm, margin, hib, pooled is None, settings)
            if not row.primary and row.verdict == "regress" and p_holm >= 1 - settings.confidence:
                row = _replace_verdict(row, "inconclusive")
            rows.append(row)
        if pooled is not None:
            margin, key = margin_for(margins, suite, metric)
            used_keys.update([key] if key else [])
            estimate = _estimate(pooled, settings)
            rows.append(
                _row(
                    "suite", suite, pooled, estimate, estimate.p_value, margin, hib, True, settings
                )
            )
    unused = sorted(set(margins) - used_keys)
    if unused:
        known = sorted({f"{r.name}.{r.metric}" for r in rows} | {r.metric for r in rows})
        raise HarnessError(
            f"margin {', '.join(unused)} matches no compared metric; use one of {', '.join(known)}"
        )
    if not rows:
        raise HarnessError("the two runs share no metric on their common tasks; nothing to compare")
    gate = [r.verdict for r in rows if r.primary] + [
        r.verdict for r in rows if not r.primary and r.verdict == "regress"
    ]
    return rows, overall(gate)


def _estimate(pv: PairedValues, settings: CompareSettings) -> PairedEstimate:
    if pv.kind == "binary":
        return binary_paired_difference(pv.baseline, pv.candidate, confidence=settings.confidence)
    if pv.kind == "continuous":
        return bootstrap_mean_difference(
            pv.baseline,
            pv.candidate,
            n_resamples=settings.n_resamples,
            n_permutations=settings.n_permutations,
            confidence=settings.confidence,
            seed=settings.seed,
        )
    assert pv.score is not None
    return bootstrap_corpus_difference(
        pv.baseline,
        pv.candidate,
        pv.score,
        n_resamples=settings.n_resamples,
        n_permutations=settings.n_corpus_permutations,
        confidence=settings.confidence,
        seed=settings.seed,
    )


def _row(
    scope: str,
    name: str,
    pv: PairedValues,
    estimate: PairedEstimate,
    p_holm: float,
    margin: float,
    higher_is_better: bool,
    primary: bool,
    settings: CompareSettings,
) -> ComparisonRow:
    n = len(pv.baseline)
    return ComparisonRow(
        scope=scope,
        name=name,
        metric=pv.metric,
        method=estimate.method,
        n=n,
        higher_is_better=higher_is_better,
        baseline=pv.value(pv.baseline),
        candidate=pv.value(pv.candidate),
        difference=estimate.difference,
        ci_low=estimate.ci_low,
        ci_high=estimate.ci_high,
        p_value=estimate.p_value,
        p_holm=p_holm,
        mde=minimum_detectable_effect(
            estimate.se,
            n,
            margin=margin,
            discordant=estimate.discordant,
            confidence=settings.confidence,
            power=settings.power,
        ),
        margin=margin,
        verdict=verdict(estimate.ci_low, estimate.ci_high, margin, higher_is_better),
        primary=primary,
    )


def _replace_verdict(row: ComparisonRow, new: Verdict) -> ComparisonRow:
    return ComparisonRow(**{**asdict(row), "verdict": new})
