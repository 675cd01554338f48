"""One stream of generation requests for many callers (tasks) at once.

Sent task by task, a suite's generation requests make one batch per task: at a small
``--limit`` a handful of rows, each batch draining to nothing before the next task starts.
Sent as one stream, a backend that batches continuously keeps one batch full across the
tasks' boundaries; each answer comes back the moment it is generated, so a caller sees a
task complete as soon as its last request is done.

A backend that streams itself has a ``generate_stream`` method on its class (the hf
backend); any other (served endpoints, Ray replicas) is called once per wanted group, as a
caller would call it task by task. Groups not ``wanted`` (the tasks a resumed run finished
before) are not run at all: unlike a scoring batch's floats, a generated text does not
depend on the other rows of its batch (greedy rows decode as they would alone; sampled rows
draw from a stream seeded by their own request).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from harness.backends.base import Backend, ProgressCallback
from harness.backends.requests import GenerationRequest, GenerationResult

GenerationAnswered = list[tuple[int, GenerationResult]]  # (request index, its result)


def stream_generations(
    backend: Backend,
    requests: Sequence[GenerationRequest],
    groups: Sequence[Sequence[int]],
    progress: ProgressCallback | None = None,
    wanted: Sequence[bool] | None = None,
) -> Iterator[GenerationAnswered]:
    """Generate the requests of the ``wanted`` groups (each index in exactly one of
    ``groups``), yielding (index, result) lists as they finish."""
    # Looked up on the class, as stream_scores does: a wrapper that forwards unknown
    # attributes (the runner's stored answers) must not be bypassed.
    generate_stream = getattr(type(backend), "generate_stream", None)
    if generate_stream is not None:
        yield from generate_stream(backend, requests, groups, progress, wanted)
        return
    for number, group in enumerate(groups):
        if wanted is not None and not wanted[number]:
            continue
        asked = [requests[i] for i in group]
        yield list(zip(group, backend.generate(asked, progress), strict=True))
