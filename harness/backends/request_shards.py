"""Split one call's requests into shards of about equal work, for replicas that run them apart.

Work is counted in characters (the text a replica will tokenise and run), so the shards
finish at about the same time without a tokenizer on the driver. Requests that share a
context (the choices of one multiple-choice item) stay in one shard, where the backend
runs their shared prefix once. Each shard lists request indices in their original order,
so merging the answers back is a matter of writing them at those indices.
"""

from __future__ import annotations

import heapq
from collections.abc import Hashable, Sequence

from harness.backends.requests import GenerationRequest, LoglikelihoodRequest, RollingRequest

Request = LoglikelihoodRequest | RollingRequest | GenerationRequest


def request_chars(request: Request) -> int:
    """The characters a replica runs for ``request`` (its whole input text)."""
    if isinstance(request, LoglikelihoodRequest):
        return len(request.context) + len(request.continuation)
    if isinstance(request, RollingRequest):
        return len(request.text)
    return len(request.prompt)


def request_group(request: Request, index: int) -> Hashable:
    """Requests with equal keys go to one shard: scored continuations of one context."""
    if isinstance(request, LoglikelihoodRequest):
        return ("context", request.context)
    return ("alone", index)


def length_balanced_shards(requests: Sequence[Request], n_shards: int) -> list[list[int]]:
    """At most ``n_shards`` lists of request indices with about equal characters each.

    Groups of requests are placed heaviest first, each into the lightest shard so far (the
    longest-processing-time rule: no shard exceeds the mean by more than one group). Shards
    come back heaviest first, so the slowest work starts first; empty shards are dropped.
    """
    if n_shards < 1:
        raise ValueError(f"n_shards must be at least 1, got {n_shards}")
    groups: dict[Hashable, list[int]] = {}
    for index, request in enumerate(requests):
        groups.setdefault(request_group(request, index), []).append(index)
    weighted = sorted(
        (
            (sum(request_chars(requests[i]) for i in members), members)
            for members in groups.values()
        ),
        key=lambda pair: (-pair[0], pair[1][0]),
    )
    shards: list[list[int]] = [[] for _ in range(min(n_shards, len(weighted)))]
    loads = [(0, shard) for shard in range(len(shards))]  # (characters, shard number)
    for weight, members in weighted:
        load, shard = heapq.heappop(loads)
        shards[shard].extend(members)
        heapq.heappush(loads, (load + weight, shard))
    totals = {shard: load for load, shard in loads}
    order = sorted(range(len(shards)), key=lambda shard: (-totals[shard], shard))
    return [sorted(shards[shard]) for shard in order]
