"""Turn a task's items and results into the store's score and sample records (pure)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass

from harness.backends.requests import GenerationResult, RollingResult
from harness.metrics import MetricResult
from harness.metrics.base import Metric
from harness.metrics.outcome import ItemOutcome
from harness.store import (
    GeneratedRepeat,
    GenerationOutputs,
    JudgeRecord,
    MultipleChoiceOutputs,
    RollingOutputs,
    SampleOutputs,
    SampleRecord,
)
from harness.tasks.task import Result, Task, TaskItem

BOOTSTRAP_RESAMPLES = 1000
BOOTSTRAP_SEED = 0


@dataclass(frozen=True)
class TaskScores:
    """A scored task: metric results, per-item metric values (mean metrics), and samples."""

    results: list[MetricResult]
    item_values: dict[str, list[float]]
    samples: list[SampleRecord]


def task_outcomes(
    task: Task, items: Sequence[TaskItem], results: Sequence[Sequence[Result]]
) -> list[ItemOutcome]:
    """What each item produced, in the form metrics read."""
    return [
        task.outcome(item, item_results) for item, item_results in zip(items, results, strict=True)
    ]


def score_task(
    run_id: str,
    task: Task,
    items: Sequence[TaskItem],
    results: Sequence[Sequence[Result]],
    outcomes: Sequence[ItemOutcome] | None = None,
) -> TaskScores:
    """Each metric's summary and one sample record per item; ``outcomes`` when the caller
    has them already (with a judge's verdicts), else :func:`task_outcomes`."""
    if outcomes is None:
        outcomes = task_outcomes(task, items, results)
    metrics: list[Metric] = task.metrics
    summaries = [
        m.summarize(outcomes, seed=BOOTSTRAP_SEED, n_resamples=BOOTSTRAP_RESAMPLES) for m in metrics
    ]
    per_item: dict[str, list[float]] = {}
    for metric in metrics:
        values = [metric.item_value(o) for o in outcomes]
        if all(v is not None for v in values):
            per_item[metric.name] = [float(v) for v in values if v is not None]
    samples = [
        _sample(
            run_id,
            task.name,
            item,
            outcome,
            item_results,
            {n: v[i] for n, v in per_item.items()},
            metrics,
        )
        for i, (item, outcome, item_results) in enumerate(
            zip(items, outcomes, results, strict=True)
        )
    ]
    return TaskScores(results=summaries, item_values=per_item, samples=samples)


def _sample(
    run_id: str,
    task: str,
    item: TaskItem,
    outcome: ItemOutcome,
    results: Sequence[Result],
    metrics: dict[str, float],
    task_metrics: Sequence[Metric] = (),
) -> SampleRecord:
    perturbations = None
    if item.perturbed:  # HELM's perturbed copies: the original's results here, theirs below
        from harness.tasks.perturbed import results_by_copy
        from harness.tasks.perturbed_records import perturbation_records

        perturbations = perturbation_records(item.perturbed, outcome, results, task_metrics)
        results = results_by_copy(item.perturbed, results)[0]
    outputs: SampleOutputs
    if outcome.choice_logprobs is not None:
        assert item.choices is not None
        logprobs = outcome.choice_logprobs
        best = max(
            range(len(logprobs)), key=lambda i: (logprobs[i], -i)
        )  # first of ties, as argmax
        prediction = item.choices[best].strip()
        outputs = MultipleChoiceOutputs(
            prompt=item.prompt,
            perturbations=perturbations,
            choices=list(item.choices),
            logprobs=list(outcome.choice_logprobs),
            is_greedy=list(outcome.choice_is_greedy or ()),
            gold=item.gold,
        )
        target = item.references[0]
    elif outcome.prediction is not None:
        prediction = outcome.prediction
        generated = results[0]
        repeats = None
        if len(results) > 1:  # a task with repeats: every sample, in repeat order
            repeats = [
                GeneratedRepeat(text=r.text, n_tokens=r.n_tokens)
                for r in results
                if isinstance(r, GenerationResult)
            ]
        outputs = GenerationOutputs(
            prompt=item.prompt,
            perturbations=perturbations,
            references=list(item.references),
            n_tokens=generated.n_tokens if isinstance(generated, GenerationResult) else None,
            repeats=repeats,
            raw_prediction=outcome.raw_prediction,  # the answer filter's input, kept for audit
            programs=list(outcome.programs) if outcome.programs is not None else None,
            steps=list(outcome.steps) if outcome.steps is not None else None,
            agreement=outcome.agreement,
            judge=None if outcome.judge is None else JudgeRecord(**asdict(outcome.judge)),
        )
        target = item.references[0] if item.references else ""
    else:
        (rolled,) = results
        assert isinstance(rolled, RollingResult)
        prediction = ""
        target = ""
        outputs = RollingOutputs(
            prompt=item.prompt,
            perturbations=perturbations,
            logprob=rolled.logprob,
            n_tokens=rolled.n_tokens,
            n_bytes=rolled.n_bytes,
            n_words=outcome.n_words,
        )
    return SampleRecord(
        run_id=run_id,
        task=task,
        doc_id=item.doc_id,
        doc_hash=item.doc_hash,
        prompt_hash=item.prompt_hash,
        target=target,
        prediction=prediction,
        outputs=outputs,
        metrics={k: (v if math.isfinite(v) else math.nan) for k, v in metrics.items()},
    )
