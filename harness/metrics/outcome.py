"""The record an evaluated item hands to metrics.

One flat, frozen record for every output type keeps the runner simple: it fills the fields
its request produced and each metric reads only the fields it needs, failing loudly when
they are missing.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field

from harness.store.sample_outputs import AgentStep, ProgramRun


@dataclass(frozen=True)
class JudgeVerdict:
    """An LLM judge's verdicts on one generation (read by :mod:`harness.metrics.judge`).

    ``pairwise``: the probability that the candidate's generation beats the baseline's,
    with the candidate shown first and shown second. ``rubric``: the probability that it
    meets the rubric. The references are a reference metric's verdicts on the same
    questions (pairwise: 1 candidate better, 0 baseline better, 0.5 tie; rubric: 1 passes,
    0 fails), for the judge's agreement with it. ``baseline`` is the baseline's generation.
    """

    pairwise: tuple[float, float] | None = None
    rubric: float | None = None
    pairwise_reference: float | None = None
    rubric_reference: float | None = None
    baseline: str | None = None


@dataclass(frozen=True)
class ItemOutcome:
    """What one evaluated item produced; each metric reads the fields it needs."""

    # multiple choice (loglikelihood of each choice as continuation)
    choice_logprobs: tuple[float, ...] | None = None
    choice_is_greedy: tuple[bool, ...] | None = None
    # the choice strings without the target delimiter ("A", not the scored " A"): lm-eval's
    # acc_norm / acc_bytes divide by their length
    choices: tuple[str, ...] | None = None
    gold: int | None = None  # index of the correct choice
    gold_value: float | None = None  # a numeric gold (STS-B similarity), for correlations
    group: str | None = None  # items scored together (a MultiRC question, an AX-g pair)
    attributes: Mapping[str, str] = field(default_factory=dict)  # task-named item facts (BBQ)
    # generation
    prediction: str | None = None
    references: tuple[str, ...] | None = None  # one or more references
    raw_prediction: str | None = None  # the generation before the task's answer filter
    # lm-eval's filter_list: each named pipeline's answer (``prediction`` is the first one's)
    filtered: Mapping[str, str] = field(default_factory=dict)
    false_references: tuple[str, ...] | None = None  # known-wrong answers (TruthfulQA)
    predictions: tuple[str, ...] | None = None  # every sample of a task with repeats > 1
    programs: tuple[ProgramRun, ...] | None = None  # sandbox runs of generated code, per sample
    steps: tuple[AgentStep, ...] | None = None  # an agent's trajectory
    agreement: float | None = None  # self-consistency: share of samples giving the voted answer
    # retrieval (tasks with ``retrieve``): corpus positions, best first, and the gold passage's
    retrieved: tuple[int, ...] | None = None
    gold_passage: int | None = None
    # rolling loglikelihood (perplexity-type tasks)
    logprob: float | None = None  # total natural-log prob of the text
    n_tokens: int | None = None
    n_words: int | None = None
    n_bytes: int | None = None
    # an LLM judge's verdicts on a generation (harness.metrics.judge)
    judge: JudgeVerdict | None = None
