"""One stream of scoring requests (loglikelihood and rolling) for many callers at once.

A run of many small tasks (every MMLU subject at ``--limit 2``) sent task by task makes many
small batches, each too small to keep the machine busy. Sent as one stream, the backend can
sort and batch all of them together and share a prefix wherever one occurs; answers come
back as batches finish, so a caller still sees each of its groups (a task) completed as soon
as its last request is answered.

``groups`` partitions the request indices into the caller's units of work. A backend that
streams itself (a ``score_stream`` method on its class, e.g. the hf backend) cuts the groups,
in order, into waves that it batches as one, never splitting a group, so a group's answers
are not held back by work queued far behind it. Any other backend (served endpoints, Ray
replicas) is called once per group and kind, as a caller would call it group by group.

``wanted`` marks the groups whose answers are needed (default: all). A resumed run passes
the tasks it finished before as unwanted: a wave is cut from all the groups, so it holds
the same requests in every run and its batches give the same floats to the last bit; a
wave with a wanted group runs whole (its unwanted answers are yielded too, to be ignored),
a wave without one is skipped.

Generation requests are not part of this stream: they are scheduled on their own.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from harness.backends.base import Backend, ProgressCallback
from harness.backends.requests import (
    LoglikelihoodRequest,
    RollingRequest,
    ScoringRequest,
    ScoringResult,
)

Answered = list[tuple[int, ScoringResult]]  # (request index, its result), as they finish


def stream_scores(
    backend: Backend,
    requests: Sequence[ScoringRequest],
    groups: Sequence[Sequence[int]],
    progress: ProgressCallback | None = None,
    wanted: Sequence[bool] | None = None,
) -> Iterator[Answered]:
    """Answer the requests of ``requests`` (each index in exactly one of ``groups``) that
    the ``wanted`` groups need, yielding (index, result) lists as they finish."""
    # Looked up on the class: a wrapper that forwards unknown attributes to the backend it
    # wraps (the runner's stored answers) must not be bypassed through that forwarding.
    # A backend that streams has ``score_stream(requests, groups, progress, wanted)``, an
    # iterator of what ``stream_scores`` yields (``HFBackend.score_stream``).
    score_stream = getattr(type(backend), "score_stream", None)
    if score_stream is not None:
        yield from score_stream(backend, requests, groups, progress, wanted)
        return
    for number, group in enumerate(groups):
        if wanted is not None and not wanted[number]:
            continue
        pairs = [i for i in group if isinstance(requests[i], LoglikelihoodRequest)]
        texts = [i for i in group if isinstance(requests[i], RollingRequest)]
        answered: Answered = []
        if pairs:
            asked = [requests[i] for i in pairs]
            got = backend.loglikelihood(asked, progress)  # type: ignore[arg-type]
            answered += zip(pairs, got, strict=True)
        if texts:
            asked = [requests[i] for i in texts]
            rolled = backend.loglikelihood_rolling(asked, progress)  # type: ignore[arg-type]
            answered += zip(texts, rolled, strict=True)
        yield answered
