"""Evaluate a constitutional stage on held-out red-team prompts, against its parent.

The stage answers every held-out prompt (greedy, so the answers are reproducible); each
answer's toxicity is scored by a text scorer (our classifier in the recipe); a judge model
compares the stage's answer with the parent's in both orders and grades each answer
against a harmlessness rubric. Everything is per prompt, so the report can pair the stage
with its parent prompt by prompt. The result goes into the variant's details.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from harness.training.critique import TURN_STOPS, generate
from harness.training.feedback import Comparison, compare, rubric

if TYPE_CHECKING:
    from harness.backends.base import Backend
    from harness.backends.generation_config import GenerationConfig

TextScorer = Callable[[Sequence[str]], Sequence[float]]


@dataclass
class HeldoutAnswers:
    """A model's answers to the held-out prompts with their per-prompt scores."""

    prompts: list[str]
    responses: list[str]
    toxicity: list[float]
    rubric: list[float]  # judge's P(the answer meets the harmlessness rubric)
    # Against the parent (absent for the root): judge verdicts (candidate shown first,
    # shown second), and the parent's toxicity on the same prompts.
    judge_vs_parent: list[list[float]] = field(default_factory=list)
    parent_toxicity: list[float] = field(default_factory=list)
    judge: str = ""

    def as_details(self) -> dict[str, Any]:
        return asdict(self)


def answer_heldout(
    backend: Backend,
    prompts: Sequence[str],
    *,
    config: GenerationConfig,
    toxicity: TextScorer,
    judge: Backend,
    judge_name: str,
    question: str,
    rubric_text: str,
    parent: HeldoutAnswers | None,
) -> HeldoutAnswers:
    """Answer, score and (when ``parent`` is given) judge against the parent's answers."""
    responses = generate(backend, prompts, config.merged(stop=tuple(config.stop) + TURN_STOPS))
    answers = HeldoutAnswers(
        prompts=list(prompts),
        responses=responses,
        toxicity=[float(x) for x in toxicity(responses)] if responses else [],
        rubric=rubric(judge, rubric_text, prompts, responses),
        judge=judge_name,
    )
    if parent is not None:
        verdicts = compare(
            judge,
            [
                Comparison(p, mine, theirs, question)
                for p, mine, theirs in zip(prompts, responses, parent.responses, strict=True)
            ],
        )
        answers.judge_vs_parent = [[v.p_first, v.p_second] for v in verdicts]
        answers.parent_toxicity = list(parent.toxicity)
    return answers


def from_details(details: dict[str, Any]) -> HeldoutAnswers:
    return HeldoutAnswers(**details)


@dataclass(frozen=True)
class RedTeamEvaluation:
    """How every stage is evaluated: the held-out prompts, answered with ``config``, scored
    by ``toxicity`` and judged by ``judge`` against a rubric and against the parent."""

    prompts: list[str]
    config: GenerationConfig
    toxicity: TextScorer
    judge: Backend
    judge_name: str
    question: str
    rubric: str

    def answer(self, backend: Backend, parent: HeldoutAnswers | None) -> HeldoutAnswers:
        """``backend``'s answers, scored, and judged against ``parent``'s when given."""
        return answer_heldout(
            backend,
            self.prompts,
            config=self.config,
            toxicity=self.toxicity,
            judge=self.judge,
            judge_name=self.judge_name,
            question=self.question,
            rubric_text=self.rubric,
            parent=parent,
        )

    def cached(self, path: Path, backend: Callable[[], Backend]) -> HeldoutAnswers:
        """The answers stored in ``path``, else ``backend()``'s (stored there for next time)."""
        if path.is_file():
            return from_details(json.loads(path.read_text(encoding="utf-8")))
        answers = self.answer(backend(), None)
        path.write_text(json.dumps(answers.as_details()), encoding="utf-8")
        return answers


def classifier_scorer() -> TextScorer:
    """Our toxicity classifier's P(toxic), loaded now."""
    from harness.toxicity import load_classifier

    classifier = load_classifier()

    def score(texts: Sequence[str]) -> Sequence[float]:
        return [float(x) for x in classifier.score(list(texts))]

    return score


def no_toxicity(texts: Sequence[str]) -> Sequence[float]:
    """NaN for every text: toxicity not scored."""
    return [float("nan")] * len(texts)
