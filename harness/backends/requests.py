"""The contract between tasks and backends: three request types and what each returns.

These mirror lm-eval's request types so a task written for one engine maps onto the other.
Requests carry only strings; tokenisation is the backend's business.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass

from harness.backends.generation_config import GenerationConfig


@dataclass(frozen=True)
class LoglikelihoodRequest:
    """Score ``continuation`` given ``context`` (lm-eval's ``loglikelihood``)."""

    context: str
    continuation: str


@dataclass(frozen=True)
class LoglikelihoodResult:
    """Sum of the continuation's token log-probabilities, and whether greedy decoding produces it."""

    logprob: float
    is_greedy: bool
    n_tokens: int  # continuation tokens scored


@dataclass(frozen=True)
class RollingRequest:
    """Score a whole text, token by token, in windows of the model's length (perplexity)."""

    text: str


@dataclass(frozen=True)
class RollingResult:
    """Total log-probability of every token of the text, with its token and byte counts."""

    logprob: float
    n_tokens: int
    n_bytes: int


@dataclass(frozen=True)
class GenerationRequest:
    """Continue ``prompt`` under ``config`` (lm-eval's ``generate_until``)."""

    prompt: str
    config: GenerationConfig


@dataclass(frozen=True)
class GenerationResult:
    """The generated text, cut before the first stop sequence, and how many tokens it took."""

    text: str
    n_tokens: int


# The two request types answered by scoring tokens (no sampling), and their results.
ScoringRequest = LoglikelihoodRequest | RollingRequest
ScoringResult = LoglikelihoodResult | RollingResult


def occurrences(requests: Sequence[Hashable]) -> list[int]:
    """How many equal requests come before each one in ``requests``.

    A task with ``repeats: k`` sends k equal sampling requests and means k different samples:
    the in-process backend draws them from one seeded stream; a backend that sends requests
    one by one gives the r-th of them its own seed (``seed + r``), and a stored answer is keyed
    by the request and r, so the k samples stay k samples.
    """
    seen: dict[Hashable, int] = {}
    out = []
    for request in requests:
        out.append(seen.get(request, 0))
        seen[request] = out[-1] + 1
    return out
