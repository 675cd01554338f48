"""The one interface every backend implements: the three request types, in order, in bulk.

Requests are handed over as a whole list so a backend can sort, group and batch them; it
must return results in the order of the requests. ``progress`` is called as work finishes
with (items done, tokens processed) increments so the CLI can show items/s and tokens/s.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol

from harness.backends.requests import (
    GenerationRequest,
    GenerationResult,
    LoglikelihoodRequest,
    LoglikelihoodResult,
    RollingRequest,
    RollingResult,
)

ProgressCallback = Callable[[int, int], None]


class Backend(Protocol):
    """Turns requests into numbers; knows nothing of tasks or metrics."""

    tokens_processed: int  # all tokens run through the model so far (context + generated)

    def loglikelihood(
        self, requests: Sequence[LoglikelihoodRequest], progress: ProgressCallback | None = None
    ) -> list[LoglikelihoodResult]:
        """Score each continuation given its context."""
        ...

    def loglikelihood_rolling(
        self, requests: Sequence[RollingRequest], progress: ProgressCallback | None = None
    ) -> list[RollingResult]:
        """Score each whole text."""
        ...

    def generate(
        self, requests: Sequence[GenerationRequest], progress: ProgressCallback | None = None
    ) -> list[GenerationResult]:
        """Generate a continuation for each prompt."""
        ...
