"""Many tasks' requests sent as one stream; each task handed back when it is complete.

A suite of many small tasks (MMLU's 57 subjects at a small ``--limit``, BBH's 27 at 3
items) run task by task makes many small batches; one stream lets the backend batch them
together: scoring requests sorted and batched as one, sharing prefixes across tasks
(:mod:`harness.backends.scoring_stream`), generation requests in one continuously refilled
batch (:mod:`harness.backends.generation_stream`). Each task comes back, with its results
per item, as soon as its last request is answered, so the runner still scores and commits
task by task and a killed run resumes from its finished tasks.

A resumed run hands over its finished tasks too, marked done: the backend cuts the stream
into waves from the whole list, so every wave holds the requests it held in the first
attempt and its answers are the same floats; a wave with an unfinished task runs again
whole, the others are skipped.

A task takes part when its requests are all of one stream's kind (all loglikelihood or
rolling: scoring; all generation: generation), and not when it measures its own efficiency
(a task's time and tokens are not its own in a stream) or runs an agent (its requests are
made as it goes).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from harness.backends.base import Backend
from harness.backends.generation_stream import stream_generations
from harness.backends.requests import GenerationRequest, LoglikelihoodRequest, RollingRequest
from harness.backends.scoring_stream import stream_scores
from harness.runner.progress import RunProgress
from harness.tasks.task import Result, Task, TaskItem


@dataclass(frozen=True)
class FinishedTask:
    """A task whose every request is answered: its results, item by item."""

    task: Task
    items: list[TaskItem]
    results: list[list[Result]]


StreamKind = Literal["scoring", "generation"]
# Each kind's stream: (backend, requests, groups, progress, wanted) -> (index, result) lists.
STREAMS: dict[StreamKind, Callable[..., Iterator[list[tuple[int, Any]]]]] = {
    "scoring": stream_scores,
    "generation": stream_generations,
}


def stream_kind(task: Task, items: Sequence[TaskItem]) -> StreamKind | None:
    """The stream ``task`` can join, if any: it sends requests, all of one stream's kind,
    and is neither an agent (it asks as it goes) nor measuring its efficiency."""
    if task.config.efficiency or task.config.agent is not None:
        return None
    requests = [request for item in items for request in item.requests]
    if not requests:
        return None
    if all(isinstance(request, LoglikelihoodRequest | RollingRequest) for request in requests):
        return "scoring"
    if all(isinstance(request, GenerationRequest) for request in requests):
        return "generation"
    return None


def stream_tasks(
    backend: Backend,
    tasks: Sequence[tuple[Task, list[TaskItem]]],
    progress: RunProgress,
    done: Collection[str] = (),
    kind: StreamKind = "scoring",
) -> Iterator[FinishedTask]:
    """Answer the requests of every task (all of ``kind``) in one stream; yield each task
    not in ``done`` once complete.

    Tasks without requests come first; the others in the order their last answer arrives.
    """
    requests: list[Any] = []
    groups: list[list[int]] = []
    owner: list[int] = []  # per request: the task it belongs to
    for number, (_, items) in enumerate(tasks):
        start = len(requests)
        for item in items:
            requests += item.requests  # stream_kind() checked they are all of one kind
        groups.append(list(range(start, len(requests))))
        owner += [number] * (len(requests) - start)
    answers: list[Result | None] = [None] * len(requests)
    left = [len(group) for group in groups]
    items_per_request = [
        len(items) / len(group) if group else 0.0
        for (_, items), group in zip(tasks, groups, strict=True)
    ]
    wanted = [task.name not in done for task, _ in tasks]
    progress.start_stream(sum(wanted))
    for number, count in enumerate(left):
        if count == 0 and wanted[number]:
            yield _finished(tasks[number], groups[number], answers)

    def tokens_run(_: int, tokens: int) -> None:  # items are counted below, per task
        progress.advance(0, tokens)

    for answered in STREAMS[kind](backend, requests, groups, tokens_run, wanted):
        complete = []
        for index, result in answered:
            number = owner[index]
            if not wanted[number]:
                continue  # a finished task's answer, from a wave run again whole
            answers[index] = result
            progress.advance(items_per_request[number], 0)
            left[number] -= 1
            if left[number] == 0:
                complete.append(number)
        for number in sorted(complete):
            yield _finished(tasks[number], groups[number], answers)


def _finished(
    task: tuple[Task, list[TaskItem]], group: list[int], answers: list[Result | None]
) -> FinishedTask:
    """A task's answers cut back into its items' request lists."""
    task_, items = task
    flat = [answers[index] for index in group]
    results: list[list[Result]] = []
    position = 0
    for item in items:
        part = flat[position : position + len(item.requests)]
        results.append([r for r in part if r is not None])
        position += len(item.requests)
    return FinishedTask(task_, items, results)
