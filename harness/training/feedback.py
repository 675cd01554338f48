"""AI feedback: a feedback (judge) model compares two answers, asked in both orders.

The feedback model is any backend (the policy itself in process, another model, or a
served endpoint through the backend registry). Each comparison becomes four loglikelihood
requests, `` (A)`` and `` (B)`` after the comparison prompt with the answers in one order
and then the other, sent in one batch so the backend can group them. The arithmetic
(normalised choice probability, order averaging, position flips) is
:mod:`harness.metrics.judge`'s, so the recipe's labels and the judge metrics agree.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from harness.errors import HarnessError
from harness.metrics.judge import choice_probability, pairwise_preference, position_flipped
from harness.training.constitution import CHOICES, comparison_prompt, rubric_prompt

if TYPE_CHECKING:
    from harness.backends.base import Backend
    from harness.store import Location


@dataclass(frozen=True)
class Comparison:
    """Which of ``first`` and ``second`` answers ``prompt`` better, by ``question``."""

    prompt: str
    first: str
    second: str
    question: str


@dataclass(frozen=True)
class Verdict:
    """The feedback model's probability that ``first`` is better, shown first and second."""

    p_first: float  # first shown as (A): P(A)
    p_second: float  # first shown as (B): P(B)

    @property
    def preference(self) -> float:
        """Order-averaged probability that ``first`` is the better answer."""
        return pairwise_preference(self.p_first, self.p_second)

    @property
    def flipped(self) -> bool:
        return position_flipped(self.p_first, self.p_second)


def compare(backend: Backend, comparisons: Sequence[Comparison]) -> list[Verdict]:
    """One verdict per comparison, from the backend's loglikelihoods of (A) and (B)."""
    from harness.backends.requests import LoglikelihoodRequest

    requests = []
    for c in comparisons:
        for context in (
            comparison_prompt(c.question, c.prompt, c.first, c.second),
            comparison_prompt(c.question, c.prompt, c.second, c.first),
        ):
            requests += [LoglikelihoodRequest(context, choice) for choice in CHOICES]
    results = backend.loglikelihood(requests)
    verdicts = []
    for i in range(len(comparisons)):
        a1, b1, a2, b2 = (r.logprob for r in results[4 * i : 4 * i + 4])
        # Swapped order: ``first`` is (B), so its probability is 1 - P(A).
        verdicts.append(Verdict(choice_probability(a1, b1), 1 - choice_probability(a2, b2)))
    return verdicts


def rubric(
    backend: Backend, rubric_text: str, prompts: Sequence[str], replies: Sequence[str]
) -> list[float]:
    """The judge's probability that each reply meets ``rubric_text`` ((A) Yes vs (B) No)."""
    from harness.backends.requests import LoglikelihoodRequest

    requests = []
    for prompt, reply in zip(prompts, replies, strict=True):
        context = rubric_prompt(rubric_text, prompt, reply)
        requests += [LoglikelihoodRequest(context, choice) for choice in CHOICES]
    results = backend.loglikelihood(requests)
    return [
        choice_probability(results[2 * i].logprob, results[2 * i + 1].logprob)
        for i in range(len(replies))
    ]


def feedback_backend(
    store: Location,
    *,
    model: str | None,
    policy: Any,
    backend: str = "hf",
    base_urls: Sequence[str] = (),
    api_key_env: str | None = None,
    batch_size: int = 8,
) -> Backend:
    """The feedback model: ``policy`` (a loaded model) when ``model`` is None, else ``model``
    through the backend registry (a variant or model source for ``hf``, a served model id
    with ``base_urls`` for ``openai``)."""
    from harness.backends.registry import backend_class
    from harness.backends.settings import BackendSettings

    if backend != "hf" and model is None:
        raise HarnessError(
            f"feedback.backend={backend} needs feedback.model (the served model's id)"
        )
    if model is None:
        settings = BackendSettings(
            model=policy.name, loaded=policy, batch_size=batch_size, device=policy.device
        )
    else:
        from functools import partial

        from harness.registry.resolve import load_model_or_variant

        settings = BackendSettings(
            model=model,
            batch_size=batch_size,
            load_model=partial(load_model_or_variant, store),
            base_urls=tuple(base_urls),
            api_key_env=api_key_env,
        )
    built: Backend = backend_class(backend).from_settings(settings)
    return built
