"""The task format: YAML keys close to lm-eval's, validated into a typed config.

A task file may define several tasks at once with ``params``: a list of dicts whose values
replace ``${name}`` placeholders anywhere in the file (``${}`` so it never clashes with
Jinja's ``{{ }}``). MMLU's 57 subjects are one file this way.
"""

from __future__ import annotations

import string
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from harness.data.source import DatasetSpec
from harness.errors import HarnessError, did_you_mean
from harness.hashing import content_hash
from harness.tasks.perturbation_config import PerturbationConfig

OutputType = Literal["multiple_choice", "generate_until", "loglikelihood_rolling"]


class FewshotConfig(BaseModel):
    """How few-shot examples are picked, and optional templates used only for them."""

    model_config = ConfigDict(extra="forbid")

    sampler: Literal["first_n", "random"] = "first_n"
    seed: int = 1234
    doc_to_text: str | None = None
    doc_to_target: str | None = None


class AnswerFilter(BaseModel):
    """Extract the answer from generated text before metrics see it (lm-eval's regex filter).

    ``regex`` is searched with ``re.findall``; ``select`` picks a match (0 the first, -1 the
    last); a pattern with groups yields its first non-empty group. No match gives
    ``fallback``. The raw generation is stored beside the extracted answer.
    """

    model_config = ConfigDict(extra="forbid")

    regex: str
    select: int = 0
    fallback: str = "[invalid]"


class RetrieveConfig(BaseModel):
    """Retrieve-then-read: BM25 passages put into the prompt as ``retrieved`` (a list).

    The corpus is ``passage`` rendered for every document of the test split, deduplicated,
    so each question's own passage (its gold) is in it; ``query`` is what is searched for.
    """

    model_config = ConfigDict(extra="forbid")

    passage: str
    query: str
    k: int = Field(ge=1)


class AgentConfig(BaseModel):
    """ReAct (harness.tasks.react): a Thought / Action / Observation loop over tools.

    ``search`` and ``lookup`` read the corpus of ``passage`` rendered for every document of
    the test split; ``max_steps`` bounds the generations per item.
    """

    model_config = ConfigDict(extra="forbid")

    kind: Literal["react"] = "react"
    passage: str
    max_steps: int = Field(default=6, ge=1)


class JudgeConfig(BaseModel):
    """An LLM judge for the ``judge_rubric`` and ``judge_pairwise`` metrics.

    After the task's generations, the runner asks the judge (the evaluated model itself
    unless ``model`` names another, or ``harness eval --judge-model``) loglikelihood questions
    about each one (:mod:`harness.tasks.judge`): does it meet ``rubric``, and, for pairwise,
    which of it and ``baseline``'s generation for the same prompt better answers
    ``question``, in both orders. ``prompt`` (a template over the doc) is what the judge is
    shown as the request; by default the task's prompt. ``reference`` names a metric of this
    task whose per-item verdict the judge's is checked against (pairwise: which generation
    scores better; rubric: whether it passes ``reference_pass``).
    """

    model_config = ConfigDict(extra="forbid")

    rubric: str | None = None
    question: str = "Which reply answers the human's request better?"
    baseline: str | None = None  # a model source or registered variant, run like the model
    model: str | None = None  # None: the evaluated model judges its own generations
    backend: str = "hf"
    base_urls: list[str] = Field(default_factory=list)
    api_key_env: str | None = None
    batch_size: int = Field(default=8, ge=1)
    prompt: str | None = None
    reference: str | None = None
    reference_pass: float | None = None


class TaskConfig(BaseModel):
    """One task: dataset + prompt + request type + metrics."""

    model_config = ConfigDict(extra="forbid")

    task: str
    tag: list[str] = Field(default_factory=list)
    params: dict[str, str] = Field(default_factory=dict)
    dataset: DatasetSpec
    output_type: OutputType
    test_split: str
    fewshot_split: str | None = None
    num_fewshot: int = Field(default=0, ge=0)
    fewshot_config: FewshotConfig = Field(default_factory=FewshotConfig)
    description: str = ""
    doc_to_text: str
    doc_to_target: str | list[str] = ""
    doc_to_choice: list[str] | str | None = None
    target_delimiter: str = " "
    fewshot_delimiter: str = "\n\n"
    metric_list: list[str]
    generation_kwargs: dict[str, Any] = Field(default_factory=dict)
    # A template whose value splits documents into strata; --limit then takes a seeded sample
    # with each stratum in proportion (doc ids stay the dataset indices). Without it --limit
    # takes the first N documents.
    stratify_by: str | None = None
    stratify_seed: int = 1234
    # A numeric gold value per document (STS-B's similarity), read by correlation metrics.
    doc_to_value: str | None = None
    # A group id per document, for metrics over groups of items (MultiRC questions, AX-g pairs).
    doc_to_group: str | None = None
    filter: AnswerFilter | None = None
    # Generation with several right and several wrong answers (TruthfulQA): templates that
    # render Python list literals; the right ones become the references.
    doc_to_correct: str | None = None
    doc_to_incorrect: str | None = None
    # Named per-item values metrics read (BBQ's question polarity, context condition, answer
    # groups); each a template.
    doc_to_attributes: dict[str, str] = Field(default_factory=dict)
    # Rolling tasks: the text whose words and bytes normalise perplexity, when it differs from
    # the scored text (lm-eval counts WikiText's units before detokenising).
    rolling_units: str | None = None
    # Generation: sample each prompt this many times (lm-eval's ``repeats``), all from the
    # task's one seeded stream; metrics see every output (toxicity's maximum over k samples).
    repeats: int = Field(default=1, ge=1)
    # HELM-lite: perturbed copies of each item (robustness, fairness; harness.tasks.perturbed),
    # and efficiency numbers (time per request, tokens in/out, memory) stored as task scores.
    perturbations: PerturbationConfig | None = None
    efficiency: bool = False
    # Generated code run in the sandbox (harness.tasks.execute's table): ``unit_tests``
    # (HumanEval: the completion passes the doc's tests or not), ``pal`` (the program's
    # printed result is the answer). Every run's status and error is stored with the sample.
    execute: str | None = None
    # Sampling-based answers: ``majority`` votes over the ``repeats`` answers
    # (self-consistency); the prediction is the most frequent one, the agreement rate its share.
    vote: Literal["majority"] | None = None
    # Retrieval-augmented prompts (RAG): see RetrieveConfig.
    retrieve: RetrieveConfig | None = None
    # An agent loop instead of one generation per item: see AgentConfig.
    agent: AgentConfig | None = None
    # An LLM judge's questions about each generation (judge_rubric, judge_pairwise): JudgeConfig.
    judge: JudgeConfig | None = None
    # A task read from an lm-eval task file (harness.tasks.lm_eval_task): its merged config
    # as JSON, functions named by source hash, so the content hash covers all of it.
    lm_eval: dict[str, Any] | None = None

    @field_validator("metric_list", mode="before")
    @classmethod
    def _metric_names(cls, value: Any) -> Any:
        """Accept lm-eval's ``- metric: acc`` entries as well as plain names."""
        if isinstance(value, list):
            return [
                item["metric"] if isinstance(item, dict) and "metric" in item else item
                for item in value
            ]
        return value

    def content_hash(self) -> str:
        """Hash of everything that defines the task; equal hashes mean comparable prompts."""
        data = self.model_dump(mode="json")
        # Keys added after the first release are left out at their defaults, so the hashes
        # of tasks that do not use them (stored MMLU runs) stay what they were.
        _drop_defaults(data, TaskConfig, _LATER_KEYS)
        _drop_defaults(data["dataset"], DatasetSpec, _LATER_DATASET_KEYS)
        return content_hash(data)


_LATER_KEYS = (
    "stratify_by",
    "stratify_seed",
    "doc_to_value",
    "doc_to_group",
    "filter",
    "rolling_units",
    "doc_to_correct",
    "doc_to_incorrect",
    "doc_to_attributes",
    "repeats",
    "perturbations",
    "efficiency",
    "execute",
    "vote",
    "retrieve",
    "agent",
    "lm_eval",
    "judge",
)


_LATER_DATASET_KEYS = ("header", "records", "document_start", "explode", "keep", "package")


def _drop_defaults(data: dict[str, Any], model: type[BaseModel], keys: tuple[str, ...]) -> None:
    """Remove ``keys`` from a model dump where they hold the model's default (in place)."""
    for key in keys:
        default = model.model_fields[key].get_default(call_default_factory=True)
        if key in data and data[key] == default:
            del data[key]


def expand_task_file(raw: Any, *, where: str) -> list[TaskConfig]:
    """The tasks a YAML document defines: one, or one per entry of ``params``."""
    if not isinstance(raw, dict):
        raise HarnessError(
            f"{where}: a task file must be a mapping of keys (task, dataset, doc_to_text, ...)"
        )
    params_list = raw.get("params")
    if params_list is None:
        return [_validate(raw, where=where)]
    if (
        not isinstance(params_list, list)
        or not all(isinstance(p, dict) for p in params_list)
        or not params_list
    ):
        raise HarnessError(
            f"{where}: 'params' must be a non-empty list of mappings, e.g. - {{subject: anatomy}}"
        )
    body = {key: value for key, value in raw.items() if key != "params"}
    tasks = []
    for params in params_list:
        values = {str(k): str(v) for k, v in params.items()}
        substituted = _substitute(body, values, where=where)
        substituted["params"] = values
        tasks.append(_validate(substituted, where=where))
    return tasks


def _substitute(value: Any, params: dict[str, str], *, where: str) -> Any:
    if isinstance(value, str):
        try:
            return string.Template(value).substitute(params)
        except KeyError as exc:
            raise HarnessError(
                f"{where}: placeholder ${{{exc.args[0]}}} has no value in params ({', '.join(params)}); "
                "add it to every params entry"
            ) from None
        except ValueError:
            return value  # a lone '$' in a prompt is text, not a placeholder
    if isinstance(value, dict):
        return {k: _substitute(v, params, where=where) for k, v in value.items()}
    if isinstance(value, list):
        return [_substitute(v, params, where=where) for v in value]
    return value


def _validate(raw: dict[str, Any], *, where: str) -> TaskConfig:
    name = raw.get("task", "?")
    try:
        return TaskConfig.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        key = ".".join(str(part) for part in first["loc"]) or "(top level)"
        if first["type"] == "extra_forbidden":
            known = ", ".join(TaskConfig.model_fields)
            raise HarnessError(
                f"{where}: task '{name}': unknown key '{key}'; known keys: {known}"
                f"{did_you_mean(key, TaskConfig.model_fields)}"
            ) from None
        if first["type"] == "missing":
            raise HarnessError(f"{where}: task '{name}': missing required key '{key}'") from None
        raise HarnessError(
            f"{where}: task '{name}': bad value for '{key}' ({first['msg']})"
        ) from None
