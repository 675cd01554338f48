"""Evaluate a model on a suite: validate everything, then run it into the store task by task.

All user input (suite, tasks, data, templates, generation settings, model) is checked
before the store is touched, so bad input leaves the store unchanged. The scoring tasks
(loglikelihood, rolling) are answered in one stream across tasks, the generation tasks in
another (:mod:`harness.runner.task_stream`), the rest one by one; either way each task commits in one transaction as soon
as its answers are in; a crash leaves complete tasks and a run marked failed (or, after
SIGKILL, a run whose lease went stale), and ``resume`` continues such a run without redoing
its finished tasks. The lease, its heartbeat and the stop signals are in
:mod:`harness.runner.lease`; the resume checks are in :mod:`harness.runner.resume`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

from harness.backends.base import Backend
from harness.backends.registry import backend_class
from harness.backends.settings import BackendSettings
from harness.data.root import resolve_data_root
from harness.errors import HarnessError
from harness.models import LoadedModel
from harness.paths import DEFAULT_MODEL
from harness.registry.resolve import load_model_or_variant
from harness.runner.aggregate import suite_aggregates
from harness.runner.judge import Judges
from harness.runner.lease import HeldRun, hold, new_lease, take_over
from harness.runner.progress import RunProgress
from harness.runner.provenance import device_description, git_commit, harness_version
from harness.runner.resume import check_resumable, complete_run
from harness.runner.score_records import to_metric_result, to_score_records
from harness.runner.scoring import (
    BOOTSTRAP_RESAMPLES,
    BOOTSTRAP_SEED,
    TaskScores,
    score_task,
    task_outcomes,
)
from harness.runner.stored_answers import StoredAnswers
from harness.runner.task_stream import STREAMS, StreamKind, stream_kind, stream_tasks
from harness.store import (
    DEFAULT_STORE_PATH,
    LeaseLost,
    Location,
    ModelRecord,
    RunLease,
    RunRecord,
    Store,
    StoreLocation,
    TaskResultRecord,
    new_run_id,
    open_store,
    store_location,
)
from harness.store.pause import pause_at
from harness.tasks.chat import chat_formatter
from harness.tasks.react import Trajectory
from harness.tasks.suite import Suite, load_suite
from harness.tasks.task import Result, Task, TaskItem


@dataclass
class EvalOptions:
    """Everything ``harness eval`` can be told."""

    model: str = DEFAULT_MODEL
    suite: str = "mmlu"
    tasks: list[str] | None = None
    limit: int | None = None
    shots: int | None = None
    gen: dict[str, Any] = field(default_factory=dict)
    chat: bool = False
    data_dir: str | None = None
    store: Location = DEFAULT_STORE_PATH
    dtype: str = "float32"
    device: str = "cpu"
    batch_size: int = 8
    # Rows of the in-process engine's continuous generation batch (None: its default). Only
    # speed depends on it, not a generated text, so it is not part of the run's config.
    generation_rows: int | None = None
    resume: str | None = None
    progress: bool = True
    # Which engine answers (``harness.backends.registry``), and its knobs for served models.
    backend: str = "hf"
    base_urls: list[str] = field(default_factory=list)
    api_key_env: str | None = None
    tokenizer: str | None = None
    concurrency: int = 4
    # Data parallel: the backend run as ``replicas`` Ray actors (``auto`` or a head's address).
    ray: str | None = None
    replicas: int = 1
    # lm-eval's own task files by name (instead of ``suite``), the user's task folders,
    # and a data map from Hub dataset ids to local files (harness.tasks.lm_eval_data).
    lm_eval_tasks: list[str] | None = None
    lm_eval_include: list[str] = field(default_factory=list)
    lm_eval_data_map: str | None = None
    # Tasks with ``judge:``: who judges instead of each task's judge.model (None: as the task
    # says), and whose generations judge_pairwise compares with instead of judge.baseline.
    judge_model: str | None = None
    judge_baseline: str | None = None


@dataclass(frozen=True)
class EvalReport:
    """What a finished run produced, for printing."""

    run_id: str
    store_location: StoreLocation
    wall_time_s: float
    tokens_processed: int


@dataclass
class _Prepared:
    suite: Suite
    tasks: list[Task]
    items: dict[str, list[TaskItem]]
    chat_template_hash: str | None
    data_root: Path | None


Log = Callable[[str], None]


def run_eval(
    options: EvalOptions, *, model: LoadedModel | None = None, log: Log = print
) -> EvalReport:
    """Run ``options``; ``model`` lets a caller (tests, the pytest plugin) reuse a loaded model."""
    if options.limit is not None and options.limit < 1:
        raise HarnessError(f"--limit must be at least 1, got {options.limit}")
    if options.shots is not None and options.shots < 0:
        raise HarnessError(f"--shots must be 0 or more, got {options.shots}")
    if options.batch_size < 1:
        raise HarnessError(f"--batch-size must be at least 1, got {options.batch_size}")
    if options.concurrency < 1:
        raise HarnessError(f"--concurrency must be at least 1, got {options.concurrency}")
    if options.resume is not None and (done := complete_run(options.store, options.resume)):
        log(f"run {done.run_id} is already complete; nothing to resume, nothing changed")
        return EvalReport(
            done.run_id,
            store_location(options.store),
            done.wall_time_s or 0.0,
            done.tokens_processed or 0,
        )
    data_root = resolve_data_root(options.data_dir)
    suite, tasks = _suite_and_tasks(options, data_root)
    backend = open_backend(options, model)
    record = backend.model_record()
    if backend.served:  # a killed run must not pay for its answered requests twice
        slots = options.concurrency * max(1, len(options.base_urls))
        backend = StoredAnswers(backend, options.store, record.model_hash, slots)  # type: ignore[assignment]
    chat_locally = options.chat and not backend.applies_chat_template
    formatter, chat_hash = chat_formatter(backend.tokenizer) if chat_locally else (None, None)
    items = {
        t.name: (
            t.build_items(options.limit, formatter) if formatter else t.build_items(options.limit)
        )
        for t in tasks
    }
    prepared = _Prepared(suite, tasks, items, chat_hash, data_root)
    judges = Judges(
        evaluated=backend,
        open_like_model=lambda name: open_backend(replace(options, model=name)),
        store=options.store,
        dtype=options.dtype,
        device=options.device,
        judge_model=options.judge_model,
        baseline=options.judge_baseline,
    )

    with open_store(options.store) as store:
        lease, attempt = _start_or_resume(store, options, prepared, record, backend.device)
        run_id = lease.run_id
        started = time.perf_counter()

        def figures() -> tuple[float, int]:
            return time.perf_counter() - started, backend.tokens_processed

        with hold(store.location, lease, attempt, figures=figures) as held:
            try:
                scored = _run_tasks(store, held, prepared, backend, options, judges)
                aggregates = suite_aggregates(suite.name, suite.config.aggregate, scored)
                records = [
                    s
                    for name, results in aggregates
                    for s in to_score_records(run_id, "aggregate", name, results)
                ]
                wall, tokens = figures()
                if not store.end_run(
                    lease,
                    attempt,
                    status="complete",
                    wall_time_s=wall,
                    tokens_processed=tokens,
                    aggregates=records,
                ):
                    raise LeaseLost(
                        f"run {run_id} was taken over by another process before it finished here"
                    )
            except LeaseLost:
                raise  # the run belongs to another process now: never mark it
            except BaseException as exc:
                wall, tokens = figures()
                store.end_run(
                    lease,
                    attempt,
                    status="failed",
                    wall_time_s=wall,
                    tokens_processed=tokens,
                    error=f"{type(exc).__name__}: {exc}"[:2000],
                )
                raise
        total = store.get_run(run_id)
        return EvalReport(
            run_id=run_id,
            store_location=store.location,
            wall_time_s=total.wall_time_s if total.wall_time_s is not None else wall,
            tokens_processed=total.tokens_processed
            if total.tokens_processed is not None
            else tokens,
        )


def _suite_and_tasks(options: EvalOptions, data_root: Path | None) -> tuple[Suite, list[Task]]:
    """The suite to run and its tasks with their data loaded: ours, or lm-eval's task files."""
    if options.lm_eval_tasks:
        if options.tasks:
            raise HarnessError(
                "--tasks selects within a suite; with --lm-eval-tasks name the tasks there"
            )
        if options.chat:
            raise HarnessError(
                "--chat is not supported with --lm-eval-tasks yet (lm-eval builds chat prompts "
                "its own way); drop --chat"
            )
        from harness.tasks.lm_eval_suite import load_lm_eval_suite

        suite, lm_tasks = load_lm_eval_suite(
            options.lm_eval_tasks,
            include=options.lm_eval_include,
            data_map=options.lm_eval_data_map,
            data_root=data_root,
            num_fewshot=options.shots,
            generation_overrides=options.gen,
        )
        return suite, list(lm_tasks)
    if options.lm_eval_include or options.lm_eval_data_map:
        raise HarnessError(
            "--lm-eval-include and --lm-eval-data-map apply to --lm-eval-tasks; add it"
        )
    suite = load_suite(options.suite)
    configs = suite.select(options.tasks)
    return suite, [
        Task(c, data_root, num_fewshot=options.shots, generation_overrides=options.gen)
        for c in configs
    ]


def open_backend(options: EvalOptions, model: LoadedModel | None = None) -> Backend:
    """The backend ``options.backend`` names, built from the run's options.

    ``model`` is a model the caller already loaded (weights backends only); otherwise a
    weights backend loads ``options.model`` through the registry of ``options.store``, so a
    variant name works as well as a model source.
    """

    # A partial, not a closure: Ray replicas receive it pickled and load the model themselves.
    load = partial(load_model_or_variant, options.store, dtype=options.dtype, device=options.device)
    settings = BackendSettings(
        model=options.model,
        dtype=options.dtype,
        device=options.device,
        batch_size=options.batch_size,
        generation_rows=options.generation_rows,
        chat=options.chat,
        load_model=load,
        loaded=model,
        base_urls=tuple(options.base_urls),
        api_key_env=options.api_key_env,
        tokenizer=options.tokenizer,
        concurrency=options.concurrency,
    )
    if options.ray is not None:
        from harness.backends.ray_replicas import start_replicas

        return start_replicas(
            backend_class(options.backend), settings, address=options.ray, replicas=options.replicas
        )
    if options.replicas != 1:
        raise HarnessError("--replicas needs --ray: pass --ray auto or a Ray head's address")
    backend: Backend = backend_class(options.backend).from_settings(settings)
    return backend


def _start_or_resume(
    store: Store, options: EvalOptions, prepared: _Prepared, model: ModelRecord, device: str
) -> tuple[RunLease, int]:
    """The lease of a new run, or of the resumed one after every resume check passed."""
    config = {
        "tasks": [t.name for t in prepared.tasks],
        "limit": options.limit,
        "num_fewshot": options.shots,
        "generation_overrides": options.gen,
        "chat": options.chat,
        "chat_template_hash": prepared.chat_template_hash,
        "data_root": str(prepared.data_root) if prepared.data_root else None,
        "batch_size": options.batch_size,
        "fewshot_seeds": {t.name: t.config.fewshot_config.seed for t in prepared.tasks},
        "bootstrap": {"seed": BOOTSTRAP_SEED, "resamples": BOOTSTRAP_RESAMPLES},
    }
    if options.backend != "hf":  # runs of the in-process engine keep the config they always had
        config["backend"] = options.backend
        config["concurrency"] = options.concurrency
    if options.judge_model is not None:
        config["judge_model"] = options.judge_model
    if options.judge_baseline is not None:
        config["judge_baseline"] = options.judge_baseline
    if options.resume is not None:
        run = store.get_run(options.resume)
        check_resumable(
            store,
            run,
            suite_hash=prepared.suite.content_hash,
            model_hash=model.model_hash,
            config=_jsonable(config),
            tasks={t.name: (t.task_hash, t.data_hash) for t in prepared.tasks},
        )
        return take_over(store, run.run_id)
    store.upsert_model(model)
    run = RunRecord(
        run_id=new_run_id(),
        created_at=datetime.now(UTC),
        status="running",
        suite=prepared.suite.name,
        suite_hash=prepared.suite.content_hash,
        model_spec=model.spec,
        model_hash=model.model_hash,
        harness_version=harness_version(),
        git_commit=git_commit(),
        device=device_description(device),
        dtype=model.dtype,
        config=config,
    )
    lease = new_lease(run.run_id)
    return lease, store.start_run(run, lease)


def _jsonable(value: Any) -> Any:
    from harness.store.codec import decode_json, encode_json

    return decode_json(encode_json(value))


def _run_tasks(
    store: Store,
    held: HeldRun,
    prepared: _Prepared,
    backend: Backend,
    options: EvalOptions,
    judges: Judges,
) -> list[tuple[Task, TaskScores]]:
    """Every task of the suite scored and committed (or read back, when a resumed run
    finished it before); in suite order.

    The scoring tasks go first, all in one stream, then the generation tasks in another,
    each task committed as soon as its last answer is back; the others (agents, tasks
    measuring their own efficiency, tasks mixing request kinds) follow one by one.
    """
    run_id = held.lease.run_id
    done = store.completed_tasks(run_id)
    todo = [t for t in prepared.tasks if t.name not in done]
    scored = {t.name: _stored_scores(store, run_id, t) for t in prepared.tasks if t.name in done}
    # A resumed run streams its finished tasks too: see harness.runner.task_stream.
    kinds = {t.name: stream_kind(t, prepared.items[t.name]) for t in prepared.tasks}
    alone = [t for t in todo if kinds[t.name] is None]
    with RunProgress(
        sum(len(prepared.items[t.name]) for t in todo), enabled=options.progress
    ) as progress:
        for kind in STREAMS:  # scoring first, then generation
            streamed = [t for t in prepared.tasks if kinds[t.name] == kind]
            if any(t.name not in done for t in streamed):
                scored.update(
                    _run_stream(
                        store, held, prepared, streamed, done, backend, progress, kind, judges
                    )
                )
        for task in alone:
            held.check(task.name)  # a stop signal or a lost lease ends the run between tasks
            pause_at(f"start:{task.name}")
            items = prepared.items[task.name]
            scored[task.name] = _run_task(store, held, task, items, backend, progress, judges)
    return [(t, scored[t.name]) for t in prepared.tasks]


def _run_stream(
    store: Store,
    held: HeldRun,
    prepared: _Prepared,
    tasks: list[Task],
    done: set[str],
    backend: Backend,
    progress: RunProgress,
    kind: StreamKind,
    judges: Judges,
) -> dict[str, TaskScores]:
    """Run ``tasks`` (but those ``done`` before) in one stream of ``kind``; commit each as it
    completes.

    A task's recorded time and tokens are those since the previous commit (its share of
    the stream), so the tasks' figures still add up to the run's.
    """
    todo = [t for t in tasks if t.name not in done]
    for task in todo:  # every task enters the stream here, so each is checked here
        held.check(task.name)
        pause_at(f"start:{task.name}")
    scored: dict[str, TaskScores] = {}
    since, tokens_before = time.perf_counter(), backend.tokens_processed
    everything = [(t, prepared.items[t.name]) for t in tasks]
    stream = stream_tasks(backend, everything, progress, done, kind)
    for finished in stream:
        task = finished.task
        pause_at(f"task:{task.name}")
        scores, judged_by = _scored(held, task, finished.items, finished.results, judges)
        _commit(
            store,
            held,
            task,
            finished.items,
            scores,
            wall_time_s=time.perf_counter() - since,
            tokens=backend.tokens_processed - tokens_before,
            judged_by=judged_by,
        )
        since, tokens_before = time.perf_counter(), backend.tokens_processed
        scored[task.name] = scores
        progress.task_committed(task.name)
        left = [t.name for t in todo if t.name not in scored]
        if left:  # a stop signal or a lost lease ends the run between commits
            held.check(left[0])
    return scored


def _run_task(
    store: Store,
    held: HeldRun,
    task: Task,
    items: list[TaskItem],
    backend: Backend,
    progress: RunProgress,
    judges: Judges,
) -> TaskScores:
    """Run one task's requests (and its judge's, for a task with ``judge:``), score them and
    commit the task in one transaction."""
    started = time.perf_counter()
    tokens_before = backend.tokens_processed
    progress.start_task(task.name, len(items), sum(len(i.requests) for i in items))
    if task.config.efficiency:
        from harness.runner.efficiency import reset_accelerator_peak

        reset_accelerator_peak()
    if task.config.agent is not None:
        results = _run_agent(backend, task, items, progress)
    else:
        results = _execute(backend, items, progress)
    pause_at(f"task:{task.name}")
    executed_s = time.perf_counter() - started
    scores, judged_by = _scored(held, task, items, results, judges)
    if task.config.efficiency:  # HELM's efficiency family, measured around the backend call
        from harness.runner.efficiency import efficiency_results

        measured = efficiency_results(
            [r for item in items for r in item.requests],
            [
                r
                for item_results in results
                for r in item_results
                if not isinstance(r, Trajectory)  # an agent's steps are not one request each
            ],
            wall_time_s=executed_s,
            tokens_processed=backend.tokens_processed - tokens_before,
            tokenizer=getattr(backend, "tokenizer", None),
            n_items=len(items),
        )
        scores = replace(scores, results=[*scores.results, *measured])
    _commit(
        store,
        held,
        task,
        items,
        scores,
        wall_time_s=time.perf_counter() - started,
        tokens=backend.tokens_processed - tokens_before,
        judged_by=judged_by,
    )
    return scores


def _scored(
    held: HeldRun,
    task: Task,
    items: list[TaskItem],
    results: list[list[Result]],
    judges: Judges,
) -> tuple[TaskScores, dict[str, Any] | None]:
    """A task's scores from its results, its judge asked first for a task with ``judge:``;
    and who judged (None without a judge)."""
    outcomes = task_outcomes(task, items, results)
    judged_by = None
    if task.config.judge is not None:
        outcomes, judged_by = judges.judge(task, items, outcomes)
    return score_task(held.lease.run_id, task, items, results, outcomes), judged_by


def _commit(
    store: Store,
    held: HeldRun,
    task: Task,
    items: list[TaskItem],
    scores: TaskScores,
    *,
    wall_time_s: float,
    tokens: int,
    judged_by: dict[str, Any] | None = None,
) -> None:
    """Write a scored task (its result, scores and samples) in one transaction."""
    run_id = held.lease.run_id
    result = TaskResultRecord(
        run_id=run_id,
        task=task.name,
        task_hash=task.task_hash,
        data_hash=task.data_hash,
        num_fewshot=task.config.num_fewshot,
        fewshot_seed=task.config.fewshot_config.seed,
        n_items=len(items),
        wall_time_s=wall_time_s,
        tokens_processed=tokens,
        details={
            "data_origin": task.data_origin,
            "n_docs": len(task.docs),
            "output_type": task.config.output_type,
            "generation_config": task.generation_config.model_dump()
            if task.generation_config
            else None,
            "config": task.config.model_dump(mode="json"),
            **({"judge": judged_by} if judged_by is not None else {}),
        },
    )
    store.commit_task(
        result,
        to_score_records(run_id, "task", task.name, scores.results),
        scores.samples,
        lease_token=held.lease.lease_token,
    )


def _execute(
    backend: Backend, items: Sequence[TaskItem], progress: RunProgress
) -> list[list[Result]]:
    """Send every request of a task to the backend in one call, then hand results back per item."""
    flat = [r for item in items for r in item.requests]
    if not flat:
        return [[] for _ in items]
    kind = type(flat[0])
    from harness.backends.requests import GenerationRequest, LoglikelihoodRequest, RollingRequest

    answers: Sequence[Result]
    if kind is LoglikelihoodRequest:
        answers = backend.loglikelihood(flat, progress)  # type: ignore[arg-type]
    elif kind is RollingRequest:
        answers = backend.loglikelihood_rolling(flat, progress)  # type: ignore[arg-type]
    elif kind is GenerationRequest:
        answers = backend.generate(flat, progress)  # type: ignore[arg-type]
    else:  # pragma: no cover - Task builds only these
        raise TypeError(f"unknown request type {kind.__name__}")
    out: list[list[Result]] = []
    position = 0
    for item in items:
        out.append(list(answers[position : position + len(item.requests)]))
        position += len(item.requests)
    return out


def _run_agent(
    backend: Backend, task: Task, items: Sequence[TaskItem], progress: RunProgress
) -> list[list[Result]]:
    """An agent task: the backend answers each step of every trajectory, in batches."""
    from harness.backends.requests import GenerationRequest

    config = task.generation_config
    assert config is not None

    def tokens_only(requests: int, tokens: int) -> None:
        progress(0, tokens)  # the bar counts finished trajectories, not steps

    def generate(prompts: list[str]) -> list[str]:
        requests = [GenerationRequest(p, config) for p in prompts]
        return [r.text for r in backend.generate(requests, tokens_only)]

    return task.run_agent(items, generate, on_done=lambda n: progress(n, 0))


def _stored_scores(store: Store, run_id: str, task: Task) -> TaskScores:
    """A finished task's scores read back, so a resumed run aggregates over all tasks."""
    records = [s for s in store.get_scores(run_id, scope="task") if s.name == task.name]
    results = [to_metric_result(s) for s in records]
    samples = store.get_samples(run_id, task.name)
    names = set(samples[0].metrics) if samples else set()
    item_values = {n: [s.metrics[n] for s in samples] for n in names}
    return TaskScores(results=results, item_values=item_values, samples=samples)
