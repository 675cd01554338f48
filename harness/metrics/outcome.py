"""The record an evaluated item hands to metrics.

One flat, frozen record for every output type keeps the runner simple: it fills the fields
its request produced and each metric reads only the fields it needs, failing loudly when
they are missing.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class ItemOutcome:
    """What one evaluated item produced; each metric reads the fields it needs."""

    # multiple choice (loglikelihood of each choice as continuation)
    choice_logprobs: tuple[float, ...] | None = None
    choice_is_greedy: tuple[bool, ...] | None = None
    choices: tuple[str, ...] | None = None  # the continuation strings, as scored (e.g. " A")
    gold: int | None = None  # index of the correct choice
    gold_value: float | None = None  # a numeric gold (STS-B similarity), for correlations
    group: str | None = None  # items scored together (a MultiRC question, an AX-g pair)
    attributes: Mapping[str, str] = field(default_factory=dict)  # task-named item facts (BBQ)
    # generation
    prediction: str | None = None
    references: tuple[str, ...] | None = None  # one or more references
    raw_prediction: str | None = None  # the generation before the task's answer filter
    false_references: tuple[str, ...] | None = None  # known-wrong answers (TruthfulQA)
    predictions: tuple[str, ...] | None = None  # every sample of a task with repeats > 1
    # rolling loglikelihood (perplexity-type tasks)
    logprob: float | None = None  # total natural-log prob of the text
    n_tokens: int | None = None
    n_words: int | None = None
    n_bytes: int | None = None
    # an LLM judge's verdicts on a generation (harness.metrics.judge): pairwise, the
    # probability that the candidate beats the baseline shown first and shown second;
    # rubric, the probability that it meets the rubric
    judge_probs: tuple[float, ...] | None = None
