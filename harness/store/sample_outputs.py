"""What a sample kept of the model's answer: one typed record per kind of request.

A multiple-choice item keeps every choice's log-likelihood, a generation its references and
token counts, a rolling log-likelihood the text's total log-probability and its units. Readers
(paired comparison, the flip view, the dashboard) use these fields instead of dictionary keys.

The stored JSON carries no kind tag: stores written before these records existed must read
back, and the same evaluation must keep writing the same bytes. So the kind is read from the
keys present (``choices``: multiple choice, ``logprob``: rolling, otherwise generation), and
each record writes exactly the keys the runner always wrote: optional ones (``perturbations``,
``repeats``, ``raw_prediction``) only when set, the others even when null.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    PlainValidator,
    SerializerFunctionWrapHandler,
    Tag,
    model_serializer,
)

OutputKind = Literal["multiple_choice", "generation", "rolling"]


def _stored_float(value: object) -> float:
    """A log-probability as stored: JSON null (how the store writes NaN and -inf) reads as NaN.

    An int is kept an int rather than made a float, so it is written back as the same text.
    """
    if value is None:
        return math.nan
    tolist = getattr(value, "tolist", None)  # numpy / torch scalars, as the JSON codec reads them
    if callable(tolist):
        value = tolist()
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"expected a number, got {value!r}")
    return value


LogProb = Annotated[float, PlainValidator(_stored_float)]


class _Outputs(BaseModel):
    """Fields every kind keeps: the prompt the model saw and HELM's perturbed copies."""

    model_config = ConfigDict(extra="forbid")

    kind: ClassVar[OutputKind]
    # Keys the runner writes only when they have a value; every other key is always written.
    _written_when_set: ClassVar[frozenset[str]] = frozenset({"perturbations"})

    prompt: str
    # One JSON record per perturbed copy (HELM's robustness and fairness families), as the
    # perturbation code writes it: which copy, its text, its results, its per-item metrics.
    perturbations: list[dict[str, Any]] | None = None

    @model_serializer(mode="wrap")
    def _as_stored(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        """The keys the runner always wrote, and the optional ones only when set."""
        dumped: dict[str, Any] = handler(self)
        return {
            key: value
            for key, value in dumped.items()
            if value is not None or key not in self._written_when_set
        }


class MultipleChoiceOutputs(_Outputs):
    """A multiple-choice item: each choice as scored, its log-likelihood and greediness."""

    kind: ClassVar[OutputKind] = "multiple_choice"

    choices: list[str]
    logprobs: list[LogProb]
    is_greedy: list[bool]  # empty when the backend did not report greediness
    gold: int | None


class GeneratedRepeat(BaseModel):
    """One sample of a task that generates several answers per item (``repeats`` > 1)."""

    model_config = ConfigDict(extra="forbid")

    text: str
    n_tokens: int


class ProgramRun(BaseModel):
    """One run of generated code in the sandbox: how it ended, its answer, its error."""

    model_config = ConfigDict(extra="forbid")

    status: str  # harness.sandbox's status: ok, error, timeout, cpu_limit, memory_limit, ...
    answer: str
    error: str | None = None
    # The generated text the program was made from (the completion, before the doc's tests
    # or the answer printout are added), so a reader can see what the model wrote.
    code: str | None = None


class AgentStep(BaseModel):
    """One step of an agent's trajectory (ReAct): its thought, action and what came back."""

    model_config = ConfigDict(extra="forbid")

    thought: str
    action: str  # as written, e.g. "search[Nile river]"
    tool: str  # the parsed tool name, or "invalid"
    argument: str
    observation: str


class JudgeRecord(BaseModel):
    """An LLM judge's verdicts on one generation (``judge:`` tasks), kept for audit.

    ``pairwise``: P(this generation beats the baseline's) with it shown first, then second;
    ``rubric``: P(it meets the rubric); ``baseline``: the baseline's generation; the
    references: a reference metric's verdicts on the same questions (1, 0, or 0.5 a tie).
    """

    model_config = ConfigDict(extra="forbid")

    pairwise: list[float] | None = None
    rubric: float | None = None
    pairwise_reference: float | None = None
    rubric_reference: float | None = None
    baseline: str | None = None


class GenerationOutputs(_Outputs):
    """A generated answer's references and length; the answer itself is the sample's prediction."""

    kind: ClassVar[OutputKind] = "generation"
    _written_when_set: ClassVar[frozenset[str]] = frozenset(
        {"perturbations", "repeats", "raw_prediction", "programs", "steps", "agreement", "judge"}
    )

    references: list[str]
    n_tokens: int | None  # None when the answer did not come from a generation request
    repeats: list[GeneratedRepeat] | None = None  # every sample, in repeat order
    raw_prediction: str | None = None  # the answer filter's input, kept for audit
    programs: list[ProgramRun] | None = None  # sandbox runs, one per sample (``execute``)
    steps: list[AgentStep] | None = None  # an agent's trajectory, in order
    agreement: float | None = None  # share of samples that gave the voted answer (``vote``)
    judge: JudgeRecord | None = None  # an LLM judge's verdicts (``judge:`` tasks)


class RollingOutputs(_Outputs):
    """A whole text's log-probability and the units perplexities divide it by."""

    kind: ClassVar[OutputKind] = "rolling"

    logprob: LogProb
    n_tokens: int
    n_bytes: int
    n_words: int | None


def stored_kind(outputs: Mapping[str, Any]) -> OutputKind:
    """Which kind a stored outputs object is, read from the keys only that kind writes."""
    if "choices" in outputs:
        return "multiple_choice"
    if "logprob" in outputs:
        return "rolling"
    return "generation"


def _kind_of(value: Any) -> OutputKind | None:
    """The union's tag: a record's own kind, or the kind its stored keys say."""
    if isinstance(value, _Outputs):
        return value.kind
    if isinstance(value, Mapping):
        return stored_kind(value)
    return None


SampleOutputs = Annotated[
    Annotated[MultipleChoiceOutputs, Tag("multiple_choice")]
    | Annotated[GenerationOutputs, Tag("generation")]
    | Annotated[RollingOutputs, Tag("rolling")],
    Discriminator(_kind_of),
]
"""The outputs of one sample, whichever kind; ``isinstance`` tells the kinds apart."""
