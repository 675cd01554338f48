"""A served backend whose answers are kept in the store as they arrive.

A run against a paid or busy endpoint that is killed half-way must not pay for the finished
requests again. This wrapper looks every request up first (by the served model's identity
and the request's content hash), sends only the missing ones, in chunks, and commits each
chunk's answers before sending the next. A resumed run, or any later run of the same model
with the same requests and settings, gets them back from the store.

Chunks trade a few lost answers on a kill against the cost of one transaction per answer:
``CHUNK_PER_SLOT`` requests per concurrent slot keep every slot busy between commits.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from harness.backends.base import Backend, ProgressCallback
from harness.backends.requests import (
    GenerationRequest,
    GenerationResult,
    LoglikelihoodRequest,
    LoglikelihoodResult,
    RollingRequest,
    RollingResult,
    occurrences,
)
from harness.hashing import content_hash
from harness.store import Location, open_store

CHUNK_PER_SLOT = 4
Request = TypeVar("Request", LoglikelihoodRequest, RollingRequest, GenerationRequest)
Result = TypeVar("Result", LoglikelihoodResult, RollingResult, GenerationResult)


def request_hash(request: Any, occurrence: int) -> str:
    """Content hash of a request and of which of its equal copies it is (sample r of k)."""
    fields = dataclasses.asdict(request)
    if isinstance(request, GenerationRequest):
        fields["config"] = request.config.model_dump(mode="json")
    return content_hash({"type": type(request).__name__, "request": fields, "r": occurrence})


class StoredAnswers:
    """Wraps ``backend``: answers come from the store where it has them, else from the backend.

    ``store`` is the store's location (the wrapper opens its own connection per commit, so it
    can sit beside the runner's); ``model_hash`` is the backend's identity; ``slots`` is how
    many requests the backend has in flight at once.
    """

    def __init__(self, backend: Backend, store: Location, model_hash: str, slots: int) -> None:
        self.backend = backend
        self.store = store
        self.model_hash = model_hash
        self.chunk = max(1, slots) * CHUNK_PER_SLOT
        self.reused = 0  # answers taken from the store instead of the backend
        self.sent = 0

    def __getattr__(self, name: str) -> Any:
        # tokenizer, device, tokens_processed, model_record ...: the wrapped backend's own.
        return getattr(self.backend, name)

    def loglikelihood(
        self, requests: Sequence[LoglikelihoodRequest], progress: ProgressCallback | None = None
    ) -> list[LoglikelihoodResult]:
        send = self.backend.loglikelihood
        return self._answer(
            requests, lambda part, _: send(part, progress), LoglikelihoodResult, progress
        )

    def loglikelihood_rolling(
        self, requests: Sequence[RollingRequest], progress: ProgressCallback | None = None
    ) -> list[RollingResult]:
        send = self.backend.loglikelihood_rolling
        return self._answer(requests, lambda part, _: send(part, progress), RollingResult, progress)

    def generate(
        self, requests: Sequence[GenerationRequest], progress: ProgressCallback | None = None
    ) -> list[GenerationResult]:
        def send(part: list[GenerationRequest], copies: list[int]) -> list[GenerationResult]:
            # A chunk may hold copy r of a repeated sampled request without copies 0..r-1, and
            # the backend counts copies within what it is sent: give each its seed here.
            seeded = [
                dataclasses.replace(
                    request,
                    config=request.config.model_copy(update={"seed": request.config.seed + r}),
                )
                if request.config.do_sample and r
                else request
                for request, r in zip(part, copies, strict=True)
            ]
            return self.backend.generate(seeded, progress)

        return self._answer(requests, send, GenerationResult, progress)

    def _answer(
        self,
        requests: Sequence[Request],
        send: Callable[[list[Request], list[int]], list[Result]],
        result_type: type[Result],
        progress: ProgressCallback | None,
    ) -> list[Result]:
        copies = occurrences(requests)
        keys = [request_hash(r, k) for r, k in zip(requests, copies, strict=True)]
        with open_store(self.store) as store:
            kept = store.get_answers(self.model_hash, keys)
        results: list[Result | None] = [
            _decode(result_type, kept[key]) if key in kept else None for key in keys
        ]
        if progress is not None and kept:
            progress(len(kept), 0)
        self.reused += len(kept)
        missing = [i for i, r in enumerate(results) if r is None]
        for start in range(0, len(missing), self.chunk):
            part = missing[start : start + self.chunk]
            answered = send([requests[i] for i in part], [copies[i] for i in part])
            with open_store(self.store) as store:
                store.add_answers(
                    self.model_hash,
                    {keys[i]: _encode(a) for i, a in zip(part, answered, strict=True)},
                )
            for i, answer in zip(part, answered, strict=True):
                results[i] = answer
            self.sent += len(part)
        return [r for r in results if r is not None]


def _encode(result: Any) -> str:
    """JSON text of a result; -inf and NaN log-probabilities are kept (json's own spelling)."""
    return json.dumps(dataclasses.asdict(result), sort_keys=True)


def _decode(result_type: type[Result], text: str) -> Result:
    fields = json.loads(text)
    return result_type(**fields)
