"""Ask an LLM judge about a task's generations, so ``judge_rubric`` / ``judge_pairwise`` can score.

Metrics never call models; this is where a run does it for a task with ``judge:``
(:class:`harness.tasks.config.JudgeConfig`), after the task's generations and before its
metrics:

1. For ``judge_pairwise``, the baseline model generates for the same items (the same
   requests, so the same prompts, settings and per-request seeds), opened the way the
   evaluated model was (same engine and endpoints, ``judge.baseline`` as the model), and
   its generations go through the task's own answer handling (filter, vote).
2. The judge (the evaluated model's own backend unless ``judge.model`` or ``--judge-model``
   names another, opened through the backend registry) gets every item's questions
   (:mod:`harness.tasks.judge`: rubric, and pairwise in both orders) as one batch of
   loglikelihood requests.
3. Each item's outcome gets a :class:`~harness.metrics.outcome.JudgeVerdict`, with the
   reference metric's verdicts on the same questions when ``judge.reference`` is set.

Backends are opened on first use and kept for the run's later tasks.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

from harness.backends.base import Backend
from harness.backends.requests import GenerationRequest, GenerationResult
from harness.metrics.outcome import ItemOutcome, JudgeVerdict
from harness.store import Location
from harness.tasks.config import JudgeConfig
from harness.tasks.judge import (
    PAIRWISE_REQUESTS,
    RUBRIC_REQUESTS,
    pairwise_requests,
    pairwise_verdict,
    rubric_requests,
    rubric_verdict,
)
from harness.tasks.task import Task, TaskItem
from harness.tasks.templates import render

OpenModel = Callable[[str], Backend]


@dataclasses.dataclass
class Judges:
    """The judge and baseline backends of one run.

    ``evaluated`` is the run's own backend (the default judge); ``open_like_model`` opens a
    baseline the way the evaluated model was opened; ``judge_model`` and ``baseline``
    replace every task's ``judge.model`` and ``judge.baseline`` (``harness eval
    --judge-model``, ``--judge-baseline``).
    """

    evaluated: Backend
    open_like_model: OpenModel
    store: Location
    dtype: str = "float32"
    device: str = "cpu"
    judge_model: str | None = None
    baseline: str | None = None
    _opened: dict[tuple[str, ...], Backend] = dataclasses.field(default_factory=dict, init=False)

    def judge(
        self, task: Task, items: Sequence[TaskItem], outcomes: Sequence[ItemOutcome]
    ) -> tuple[list[ItemOutcome], dict[str, Any]]:
        """The outcomes with the judge's verdicts, and who judged (for the task's record)."""
        config = task.config.judge
        assert config is not None, "judge() is for tasks with judge:"
        wanted = set(task.config.metric_list)
        asked = [_asked(task, config, item) for item in items]
        candidates = [o.prediction or "" for o in outcomes]
        baselines: list[ItemOutcome] | None = None
        record: dict[str, Any] = {"question": config.question, "rubric": config.rubric}
        if "judge_pairwise" in wanted:
            baseline_name = self.baseline or config.baseline
            assert baseline_name is not None, "check_judge requires a baseline"
            baseline = self._baseline(baseline_name)
            baselines = _generate(baseline, task, items)
            record["baseline"] = _identity(baseline_name, baseline)
        judge_name, judge = self._judge(config)
        record["judge"] = _identity(judge_name, judge)
        requests = []
        for index, (prompt, candidate) in enumerate(zip(asked, candidates, strict=True)):
            if "judge_rubric" in wanted:
                requests += rubric_requests(config.rubric or "", prompt, candidate)
            if baselines is not None:
                other = baselines[index].prediction or ""
                requests += pairwise_requests(config.question, prompt, candidate, other)
        logprobs = [r.logprob for r in judge.loglikelihood(requests)] if requests else []
        reference = _reference(task, config)
        judged = []
        position = 0
        for index, outcome in enumerate(outcomes):
            verdict = JudgeVerdict()
            if "judge_rubric" in wanted:
                rubric = rubric_verdict(logprobs[position : position + RUBRIC_REQUESTS])
                position += RUBRIC_REQUESTS
                verdict = dataclasses.replace(
                    verdict,
                    rubric=rubric,
                    rubric_reference=_passes(reference, outcome, config.reference_pass),
                )
            if baselines is not None:
                pairwise = pairwise_verdict(logprobs[position : position + PAIRWISE_REQUESTS])
                position += PAIRWISE_REQUESTS
                verdict = dataclasses.replace(
                    verdict,
                    pairwise=pairwise,
                    pairwise_reference=_better(reference, outcome, baselines[index]),
                    baseline=baselines[index].prediction,
                )
            judged.append(dataclasses.replace(outcome, judge=verdict))
        return judged, record

    def _judge(self, config: JudgeConfig) -> tuple[str, Backend]:
        name = self.judge_model or config.model
        if name is None:
            return "the evaluated model", self.evaluated
        key = ("judge", name, config.backend, *config.base_urls)
        if key not in self._opened:
            from harness.backends.registry import backend_class
            from harness.backends.settings import BackendSettings
            from harness.registry.resolve import load_model_or_variant

            settings = BackendSettings(
                model=name,
                dtype=self.dtype,
                device=self.device,
                batch_size=config.batch_size,
                load_model=partial(
                    load_model_or_variant, self.store, dtype=self.dtype, device=self.device
                ),
                base_urls=tuple(config.base_urls),
                api_key_env=config.api_key_env,
            )
            self._opened[key] = backend_class(config.backend).from_settings(settings)
        return name, self._opened[key]

    def _baseline(self, name: str) -> Backend:
        key = ("baseline", name)
        if key not in self._opened:
            self._opened[key] = self.open_like_model(name)
        return self._opened[key]


def _asked(task: Task, config: JudgeConfig, item: TaskItem) -> str:
    """What the judge is shown as the request: ``judge.prompt`` rendered, or the prompt."""
    if config.prompt is None:
        return item.prompt
    return render(config.prompt, item.doc, where=f"task '{task.name}': judge.prompt")


def _generate(backend: Backend, task: Task, items: Sequence[TaskItem]) -> list[ItemOutcome]:
    """The baseline's outcomes: the items' own generation requests, judged by the task."""
    flat = [r for item in items for r in item.requests if isinstance(r, GenerationRequest)]
    answers: list[GenerationResult] = backend.generate(flat) if flat else []
    outcomes = []
    position = 0
    for item in items:
        count = len(item.requests)
        outcomes.append(task.outcome(item, answers[position : position + count]))
        position += count
    return outcomes


def _identity(name: str, backend: Backend) -> dict[str, str]:
    """Who answered: the name asked for and the model identity the store records."""
    record = backend.model_record()
    return {"name": name, "model": record.name, "model_hash": record.model_hash}


def _reference(task: Task, config: JudgeConfig) -> Any:
    """The task's metric named by ``judge.reference`` (None when unset)."""
    if config.reference is None:
        return None
    return next(m for m in task.metrics if m.name == config.reference)


def _better(metric: Any, candidate: ItemOutcome, baseline: ItemOutcome) -> float | None:
    """1 when the reference metric scores the candidate better, 0 worse, 0.5 equal."""
    if metric is None:
        return None
    mine, theirs = metric.item_value(candidate), metric.item_value(baseline)
    if mine is None or theirs is None:
        return None
    if mine == theirs:
        return 0.5
    return 1.0 if (mine > theirs) == bool(metric.higher_is_better) else 0.0


def _passes(metric: Any, outcome: ItemOutcome, threshold: float | None) -> float | None:
    """1 when the reference metric passes the generation: at or above ``threshold`` for a
    higher-is-better metric, below it for a lower-is-better one (toxicity); else 0."""
    if metric is None or threshold is None:
        return None
    value = metric.item_value(outcome)
    if value is None:
        return None
    passed = value >= threshold if metric.higher_is_better else value < threshold
    return 1.0 if passed else 0.0
