"""Averages across tasks: macro (each task counts once) and micro (each item counts once)."""

import math
from collections.abc import Sequence
from dataclasses import replace

from harness.errors import HarnessError
from harness.metrics.base import summarize_mean
from harness.metrics.result import MetricResult


def macro_average(results: Sequence[MetricResult], name: str | None = None) -> MetricResult:
    """Unweighted mean of task values, so a large task does not drown out small ones.

    stderr = sqrt(sum se_i^2) / k, the standard error of a mean of k independent task
    estimates; None if any task has none. No CI: the tasks' bootstrap replicates are not
    kept, and a new bootstrap over tasks would need per-item data. ``n`` is the total item
    count. ``name`` defaults to the tasks' common metric name.
    """
    if len(results) == 0:
        raise HarnessError("macro_average needs at least one result; pass the tasks' results")
    names = sorted({r.name for r in results})
    if name is None:
        if len(names) > 1:
            raise HarnessError(
                f"macro_average of different metrics ({', '.join(names)}) has no natural name; "
                "pass name="
            )
        name = names[0]
    directions = {r.higher_is_better for r in results}
    if len(directions) > 1:
        raise HarnessError(
            f"macro_average '{name}' mixes higher-is-better and lower-is-better metrics "
            f"({', '.join(names)}); average only metrics that point the same way"
        )
    k = len(results)
    errors = [r.stderr for r in results]
    stderr = (
        None
        if any(se is None for se in errors)
        else math.sqrt(sum(se * se for se in errors if se is not None)) / k
    )
    return MetricResult(
        name=name,
        value=sum(r.value for r in results) / k,
        stderr=stderr,
        ci_low=None,
        ci_high=None,
        n=sum(r.n for r in results),
        higher_is_better=results[0].higher_is_better,
        extra={"aggregation": "macro", "tasks": str(k)},
    )


def micro_average(
    name: str,
    per_item_values: Sequence[float],
    higher_is_better: bool,
    *,
    seed: int = 0,
    n_resamples: int = 1000,
) -> MetricResult:
    """Mean over the pooled items of several tasks, with its stderr and a bootstrap CI.

    Large tasks weigh in proportion to their size, which is right when the tasks are
    slices of one benchmark.
    """
    result = summarize_mean(
        name, per_item_values, higher_is_better, seed=seed, n_resamples=n_resamples
    )
    return replace(result, extra={"aggregation": "micro", **result.extra})
