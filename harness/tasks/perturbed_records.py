"""What a sample stores about its perturbed copies: which perturbation, the perturbed text,
what the model produced on it, and the per-item metric values on it."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from harness.backends.requests import GenerationResult, LoglikelihoodResult
from harness.metrics.base import MeanMetric, Metric
from harness.metrics.outcome import ItemOutcome
from harness.metrics.perturbed_outcome import PerturbedOutcome
from harness.metrics.worst_case import WorstCaseMetric
from harness.tasks.perturbed import PerturbedPrompt, results_by_copy


def _finite(value: float) -> float | None:
    """JSON has no NaN: an undefined value is stored as null."""
    return value if math.isfinite(value) else None


def copy_metrics(outcome: ItemOutcome, metrics: Sequence[Metric]) -> dict[str, float | None]:
    """The task's per-item metrics (not the worst-case ones) on one copy's outcome."""
    return {
        m.name: _finite(float(m.item_value(outcome)))
        for m in metrics
        if isinstance(m, MeanMetric) and not isinstance(m, WorstCaseMetric)
    }


def perturbation_records(
    copies: Sequence[PerturbedPrompt],
    outcome: ItemOutcome,
    results: Sequence[Any],
    metrics: Sequence[Metric],
) -> list[dict[str, Any]]:
    """One JSON-able record per perturbed copy of an item, in the copies' order."""
    assert isinstance(outcome, PerturbedOutcome)
    parts = results_by_copy(copies, results)[1:]
    records = []
    for prompt, copy, part in zip(copies, outcome.copies, parts, strict=True):
        record: dict[str, Any] = {
            "family": prompt.family,
            "perturbation": prompt.perturbation,
            "seed": prompt.seed,
            "fields": dict(prompt.fields),
            "changed": prompt.changed,  # False: same prompt as the original, not run again
        }
        if all(isinstance(r, LoglikelihoodResult) for r in part):
            record["logprobs"] = [r.logprob for r in part]
        elif all(isinstance(r, GenerationResult) for r in part):
            record["prediction"] = copy.outcome.prediction
            record["n_tokens"] = part[0].n_tokens
        record["metrics"] = copy_metrics(copy.outcome, metrics)
        records.append(record)
    return records
