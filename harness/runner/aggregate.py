"""Suite-level scores: each aggregate metric over all tasks and per group, micro and macro.

Micro pools the items of all tasks (every question counts once); macro averages the task
values (every task counts once). Both are stored: MMLU is reported both ways in the
literature, and they differ when subjects have different sizes.
"""

from __future__ import annotations

from collections.abc import Sequence

from harness.metrics import MetricResult, macro_average, micro_average
from harness.runner.scoring import BOOTSTRAP_RESAMPLES, BOOTSTRAP_SEED, TaskScores
from harness.tasks.suite import AggregateSpec
from harness.tasks.task import Task

MACRO_SUFFIX = "_macro"


def suite_aggregates(
    suite_name: str, specs: Sequence[AggregateSpec], scored: Sequence[tuple[Task, TaskScores]]
) -> list[tuple[str, list[MetricResult]]]:
    """(aggregate name, results) pairs: ``suite`` overall, then ``suite/group`` per group value.

    A metric may be listed more than once with different ``group_by`` keys (per target group
    and per prompt label, say); its overall value is then computed once.
    """
    out: list[tuple[str, list[MetricResult]]] = []
    by_name: dict[str, list[MetricResult]] = {}
    done: set[tuple[str, str]] = set()
    for spec in specs:
        members = [
            (t, s)
            for t, s in scored
            if any(r.name == spec.metric for r in s.results)
            and (spec.tasks is None or t.name in spec.tasks)
        ]
        if not members:
            continue
        base = spec.name or suite_name
        groups: list[tuple[str, list[tuple[Task, TaskScores]]]] = [(base, members)]
        if spec.group_by is not None:
            values = sorted({t.config.params[spec.group_by] for t, _ in members})
            groups += [
                (
                    f"{base}/{v}",
                    [(t, s) for t, s in members if t.config.params[spec.group_by] == v],
                )
                for v in values
            ]
        for name, group in groups:
            if (name, spec.metric) not in done:
                done.add((name, spec.metric))
                by_name.setdefault(name, []).extend(_average(spec.metric, group))
    out.extend(by_name.items())
    return out


def _average(metric: str, group: Sequence[tuple[Task, TaskScores]]) -> list[MetricResult]:
    task_results = [next(r for r in s.results if r.name == metric) for _, s in group]
    macro = macro_average(task_results)
    results = [
        MetricResult(
            name=_macro_name(metric),
            value=macro.value,
            stderr=macro.stderr,
            ci_low=None,
            ci_high=None,
            n=macro.n,
            higher_is_better=macro.higher_is_better,
            extra=macro.extra,
        )
    ]
    if all(metric in s.item_values for _, s in group):
        pooled = [v for _, s in group for v in s.item_values[metric]]
        micro = micro_average(
            metric,
            pooled,
            macro.higher_is_better,
            seed=BOOTSTRAP_SEED,
            n_resamples=BOOTSTRAP_RESAMPLES,
        )
        results.insert(0, micro)
    return results


def _macro_name(metric: str) -> str:
    """``acc_macro``; for an lm-eval filter's metric the suffix goes on the metric, not on the
    filter's name (``exact_match_macro,strict-match``), so exports split it as lm-eval would."""
    name, sep, filter_name = metric.partition(",")
    return f"{name}{MACRO_SUFFIX}{sep}{filter_name}"
