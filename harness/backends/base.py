"""The one interface every backend implements: the three request types, in order, in bulk.

Requests are handed over as a whole list so a backend can sort, group and batch them; it
must return results in the order of the requests. ``progress`` is called as work finishes
with (items done, tokens processed) increments so the CLI can show items/s and tokens/s.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Protocol

from harness.backends.requests import (
    GenerationRequest,
    GenerationResult,
    LoglikelihoodRequest,
    LoglikelihoodResult,
    RollingRequest,
    RollingResult,
)

if TYPE_CHECKING:
    from harness.backends.settings import BackendSettings
    from harness.store.records import ModelRecord

ProgressCallback = Callable[[int, int], None]


class Backend(Protocol):
    """Turns requests into numbers; knows nothing of tasks or metrics.

    A backend is built from :class:`BackendSettings` by its ``from_settings`` class method
    and says who answers with ``model_record`` (the run's model identity: the weights hash
    for local weights; for a server, its model id plus a fingerprint of its answers).
    ``tokenizer`` is the model's tokenizer where the backend has one (chat templates, token
    counts), else None; ``applies_chat_template`` is True when the backend formats chat
    itself (a chat endpoint), so the runner must not.
    """

    tokens_processed: int  # all tokens run through the model so far (context + generated)
    served: bool  # answers come from a server: the runner keeps each answer as it arrives
    tokenizer: Any
    device: str
    applies_chat_template: bool

    @classmethod
    def from_settings(cls, settings: BackendSettings) -> Backend:
        """The backend these settings describe (loads a model or opens endpoints)."""
        ...

    def model_record(self) -> ModelRecord:
        """Who answers, as the store records it."""
        ...

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
