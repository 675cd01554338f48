"""AI feedback: a feedback (judge) model compares two answers, asked in both orders.

The feedback model is any backend (the policy itself in process, another model, or a
served endpoint through the backend registry). Each comparison becomes the LLM judge's four
loglikelihood requests (:mod:`harness.tasks.judge`: `` (A)`` and `` (B)`` with the answers in
one order and then the other), all sent in one batch so the backend can group them. The
arithmetic (normalised choice probability, order averaging, position flips) is
:mod:`harness.metrics.judge`'s, so the recipe's labels and the judge metrics agree.
"""

from __future__ import annotations

import json
import random
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from harness.errors import HarnessError
from harness.metrics.judge import pairwise_preference, position_flipped
from harness.tasks.judge import (
    PAIRWISE_REQUESTS,
    RUBRIC_REQUESTS,
    pairwise_requests,
    pairwise_verdict,
    rubric_requests,
    rubric_verdict,
)

if TYPE_CHECKING:
    from harness.backends.base import Backend
    from harness.backends.generation_config import GenerationConfig
    from harness.store import Location
    from harness.training.constitution import Constitution
    from harness.training.preferences import PreferenceSplit


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
    requests = [
        r for c in comparisons for r in pairwise_requests(c.question, c.prompt, c.first, c.second)
    ]
    logprobs = [r.logprob for r in backend.loglikelihood(requests)] if requests else []
    n = PAIRWISE_REQUESTS
    return [
        Verdict(*pairwise_verdict(logprobs[n * i : n * i + n])) for i in range(len(comparisons))
    ]


def rubric(
    backend: Backend, rubric_text: str, prompts: Sequence[str], replies: Sequence[str]
) -> list[float]:
    """The judge's probability that each reply meets ``rubric_text`` ((A) Yes vs (B) No)."""
    requests = [
        r
        for prompt, reply in zip(prompts, replies, strict=True)
        for r in rubric_requests(rubric_text, prompt, reply)
    ]
    logprobs = [r.logprob for r in backend.loglikelihood(requests)] if requests else []
    n = RUBRIC_REQUESTS
    return [rubric_verdict(logprobs[n * i : n * i + n]) for i in range(len(replies))]


def policy_backend(loaded: Any, batch_size: int, model: Any = None) -> Backend:
    """An in-process backend over ``loaded`` (a LoadedModel), or over ``model``, a just-trained
    model with ``loaded``'s tokenizer that is not registered yet."""
    import dataclasses

    if model is not None:
        device = str(next(model.parameters()).device)
        loaded = dataclasses.replace(
            loaded, model=model, device=device, weights_hash="unregistered"
        )
    return feedback_backend("", model=None, policy=loaded, batch_size=batch_size)


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


@dataclass(frozen=True)
class FeedbackRow:
    """One AI-labelled pair as ``feedback.jsonl`` keeps it: two samples, the principle asked,
    the feedback model's probabilities in both orders and their order-averaged preference."""

    prompt: str
    first: str
    second: str
    principle: str
    p_first: float
    p_second: float
    preference: float
    flipped: bool


def label_feedback(
    path: Path,
    policy: Backend,
    judge: Backend,
    prompts: Sequence[str],
    constitution: Constitution,
    *,
    sampling: GenerationConfig,
    seed: int,
) -> list[FeedbackRow]:
    """The AI-labelled pairs, read from ``path`` when a run made them before.

    ``policy`` samples two answers per prompt (seeds ``sampling.seed`` and the next one);
    pairs whose answers are empty or equal are dropped; ``judge`` compares the rest against
    a seeded random principle each. The rows are written whole, then moved into place.
    """
    from harness.training.critique import TURN_STOPS, generate

    if path.is_file():
        lines = path.read_text(encoding="utf-8").splitlines()
        return [FeedbackRow(**json.loads(line)) for line in lines]
    stopped = sampling.merged(stop=TURN_STOPS)
    first = generate(policy, prompts, stopped)
    second = generate(policy, prompts, stopped.merged(seed=stopped.seed + 1))
    rng = random.Random(seed)
    asked = [
        (prompt, a, b, rng.choice(constitution.principles))
        for prompt, a, b in zip(prompts, first, second, strict=True)
        if a.strip() and b.strip() and a.strip() != b.strip()
    ]
    verdicts = compare(judge, [Comparison(p, a, b, pr.comparison) for p, a, b, pr in asked])
    rows = [
        FeedbackRow(p, a, b, pr.name, v.p_first, v.p_second, v.preference, v.flipped)
        for (p, a, b, pr), v in zip(asked, verdicts, strict=True)
    ]
    partial = path.with_suffix(".partial")
    partial.write_text("".join(json.dumps(asdict(r)) + "\n" for r in rows), encoding="utf-8")
    partial.replace(path)
    return rows


def feedback_split(rows: Sequence[FeedbackRow], heldout_percent: int, seed: int) -> PreferenceSplit:
    """Chosen/rejected pairs by each row's preference (a tie keeps the first sample as
    chosen), split by prompt hash into training and held-out pairs."""
    from harness.training.preferences import Pair, PreferenceSplit, split_by_prompt

    pairs = [
        Pair(r.prompt, r.first, r.second, "ai-feedback")
        if r.preference >= 0.5
        else Pair(r.prompt, r.second, r.first, "ai-feedback")
        for r in rows
    ]
    train, heldout = split_by_prompt(pairs, heldout_percent, seed)
    if not train:
        raise HarnessError(
            f"no AI-labelled training pairs ({len(rows)} labelled); raise prompts.train"
        )
    flips = sum(r.flipped for r in rows) / max(len(rows), 1)
    return PreferenceSplit(
        train, heldout, f"AI feedback, {len(rows)} pairs, position flips {flips:.3f}"
    )
