"""A task turned into items: each document's prompt, its requests, and its outcome.

Prompts are built as lm-eval builds them: description, then each few-shot example as
``text + target_delimiter + target`` followed by ``fewshot_delimiter``, then the document's
text. Multiple-choice continuations are ``target_delimiter + choice``.
"""

from __future__ import annotations

import ast
import dataclasses
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from harness.backends.generation_config import GenerationConfig, make_generation_config
from harness.backends.requests import (
    GenerationRequest,
    GenerationResult,
    LoglikelihoodRequest,
    LoglikelihoodResult,
    RollingRequest,
    RollingResult,
)
from harness.data.readers import Doc
from harness.data.source import load_split
from harness.errors import HarnessError, did_you_mean
from harness.hashing import content_hash
from harness.metrics import get_metric
from harness.metrics.outcome import ItemOutcome
from harness.tasks.answer_filter import extract_answer
from harness.tasks.config import TaskConfig
from harness.tasks.execute import get_executor, run_generations
from harness.tasks.fewshot import pick_fewshot
from harness.tasks.judge import check_judge
from harness.tasks.perturbed import PerturbedPrompt, perturbed_outcome, perturbed_prompts, retarget
from harness.tasks.react import Generate, Trajectory, run_react
from harness.tasks.react_tools import ReactTools
from harness.tasks.retrieval import PassageIndex, passage_index
from harness.tasks.subset import first_n, stratified_sample
from harness.tasks.templates import render
from harness.tasks.vote import majority

PromptFormatter = Callable[[str], str]
Request = LoglikelihoodRequest | RollingRequest | GenerationRequest
Result = LoglikelihoodResult | RollingResult | GenerationResult | Trajectory


def _identity(prompt: str) -> str:
    return prompt


@dataclass(frozen=True)
class TaskItem:
    """One document ready to run: its requests and what its outcome is judged against."""

    doc_id: int
    doc: Doc
    doc_hash: str
    prompt: str
    prompt_hash: str
    requests: tuple[Request, ...]
    choices: tuple[str, ...] | None  # scored continuations, multiple choice only
    gold: int | None
    references: tuple[str, ...]
    gold_value: float | None = None
    group: str | None = None
    false_references: tuple[str, ...] = ()  # known-wrong answers (TruthfulQA)
    attributes: tuple[tuple[str, str], ...] = ()  # doc_to_attributes, rendered
    # HELM's perturbed copies; their requests follow the original's in ``requests``.
    perturbed: tuple[PerturbedPrompt, ...] = ()
    # ``retrieve``: corpus positions of the passages in the prompt, best first, and the gold's
    retrieved: tuple[int, ...] | None = None
    gold_passage: int | None = None


class Task:
    """A task config with its data loaded, able to build items and judge results."""

    def __init__(
        self,
        config: TaskConfig,
        data_root: Path | None,
        *,
        num_fewshot: int | None = None,
        generation_overrides: dict[str, Any] | None = None,
    ) -> None:
        if num_fewshot is not None:
            config = config.model_copy(update={"num_fewshot": num_fewshot})
        self.config = config
        self.name = config.task
        self.metrics = [get_metric_for(config, name) for name in config.metric_list]
        check_judge(config)
        self.generation_config: GenerationConfig | None = None
        self.executor = (
            None if config.execute is None else get_executor(config.execute, task=self.name)
        )
        if config.output_type == "generate_until":
            values = {**config.generation_kwargs, **(generation_overrides or {})}
            self.generation_config = make_generation_config(
                values, where=f"task '{self.name}': generation_kwargs"
            )
        test = load_split(
            config.dataset, config.test_split, data_root, task=self.name, render=render
        )
        if not test.docs:
            raise HarnessError(
                f"task '{self.name}': split '{config.test_split}' is empty ({test.origin}); check the data file"
            )
        self.docs = test.docs
        self.data_origin = test.origin
        hashes = [test.data_hash]
        self.fewshot_docs: list[Doc] = []
        if config.num_fewshot > 0:
            if config.fewshot_split is None:
                raise HarnessError(
                    f"task '{self.name}': {config.num_fewshot}-shot needs a fewshot_split; add one or use --shots 0"
                )
            if config.fewshot_split == config.test_split:
                self.fewshot_docs = self.docs
            else:
                fewshot = load_split(
                    config.dataset, config.fewshot_split, data_root, task=self.name, render=render
                )
                self.fewshot_docs = fewshot.docs
                hashes.append(fewshot.data_hash)
        self.data_hash = hashes[0] if len(hashes) == 1 else content_hash(hashes)
        self.task_hash = config.content_hash()
        self.corpus: PassageIndex | None = None
        self._doc_passages: list[str] = []
        searched = config.retrieve or config.agent  # both search the test split's passages
        if searched is not None:
            corpus_template = searched.passage
            where = f"task '{self.name}': passage"
            self._doc_passages = [render(corpus_template, d, where=where) for d in self.docs]
            self.corpus = passage_index(tuple(self._doc_passages))

    # -- prompts ------------------------------------------------------------------------

    def build_items(
        self, limit: int | None = None, formatter: PromptFormatter = _identity
    ) -> list[TaskItem]:
        """Items for ``limit`` documents (all when None), prompts passed through ``formatter``.

        The documents are the first ``limit``, or a seeded stratified sample when the task
        sets ``stratify_by``; either way an item's doc_id is its index in the dataset.
        """
        if limit is not None and limit < 1:
            raise HarnessError(f"--limit must be at least 1, got {limit}")
        return [self._item(i, self.docs[i], formatter) for i in self.doc_indices(limit)]

    def doc_indices(self, limit: int | None) -> list[int]:
        """Dataset indices of the documents a run with ``limit`` scores."""
        if self.config.stratify_by is None:
            return first_n(len(self.docs), limit)
        return stratified_sample(self._strata, limit, self.config.stratify_seed)

    @cached_property
    def _strata(self) -> list[str]:
        """Each document's ``stratify_by`` value, rendered once per task."""
        template = self.config.stratify_by or ""
        where = f"task '{self.name}': stratify_by"
        return [render(template, doc, where=where) for doc in self.docs]

    def _item(self, doc_id: int, doc: Doc, formatter: PromptFormatter) -> TaskItem:
        cfg = self.config
        where = f"task '{self.name}'"
        shots = pick_fewshot(
            self.fewshot_docs,
            cfg.num_fewshot,
            sampler=cfg.fewshot_config.sampler,
            seed=cfg.fewshot_config.seed,
            doc_id=doc_id,
            exclude=doc if self.fewshot_docs is self.docs else None,
            task=self.name,
        )
        parts = [render(cfg.description, doc, where=f"{where}: description")]
        for shot in shots:
            text = render(
                cfg.fewshot_config.doc_to_text or cfg.doc_to_text,
                shot,
                where=f"{where}: few-shot doc_to_text",
            )
            parts.append(
                text + cfg.target_delimiter + self._fewshot_target(shot) + cfg.fewshot_delimiter
            )
        prefix = "".join(parts)
        retrieved, gold_passage, prompt_doc = self._retrieve(doc_id, doc)
        prompt = self._prompt(prefix, prompt_doc, formatter)

        choices: tuple[str, ...] | None = None
        gold: int | None = None
        requests: tuple[Request, ...]
        if cfg.output_type == "multiple_choice":
            labels = self._choices(doc)
            choices = tuple(cfg.target_delimiter + label for label in labels)
            gold = self._gold(doc, labels)
            references: tuple[str, ...] = (labels[gold],)
            requests = tuple(LoglikelihoodRequest(prompt, c) for c in choices)
        elif cfg.output_type == "generate_until":
            assert self.generation_config is not None
            references = (
                self._targets(doc)
                if cfg.doc_to_correct is None
                else tuple(self._render_list(cfg.doc_to_correct, doc, "doc_to_correct"))
            )
            # ``repeats``: k equal requests; the backend samples them from one seeded stream
            # and, when they fill a batch, runs their shared prompt once.
            requests = (GenerationRequest(prompt, self.generation_config),) * cfg.repeats
        else:
            references = ()
            requests = (RollingRequest(prompt),)
        doc_hash = content_hash(doc)
        perturbed: tuple[PerturbedPrompt, ...] = ()
        if cfg.perturbations is not None:
            # Only the document's text changes: the description and few-shot prefix stay.
            perturbed = perturbed_prompts(
                cfg.perturbations,
                doc,
                doc_hash,
                prompt,
                lambda copy: self._prompt(prefix, copy, formatter, perturbed=True),
                task=self.name,
            )
        requests += tuple(retarget(r, c.prompt) for c in perturbed if c.changed for r in requests)
        return TaskItem(
            doc_id=doc_id,
            doc=doc,
            doc_hash=doc_hash,
            prompt=prompt,
            prompt_hash=content_hash([prompt, list(choices or ())]),
            requests=requests,
            choices=choices,
            gold=gold,
            references=references,
            gold_value=self._gold_value(doc),
            false_references=()
            if cfg.doc_to_incorrect is None
            else tuple(self._render_list(cfg.doc_to_incorrect, doc, "doc_to_incorrect")),
            attributes=tuple(
                (name, render(template, doc, where=f"{where}: doc_to_attributes.{name}"))
                for name, template in cfg.doc_to_attributes.items()
            ),
            group=None
            if cfg.doc_to_group is None
            else render(cfg.doc_to_group, doc, where=f"{where}: doc_to_group"),
            perturbed=perturbed,
            retrieved=retrieved,
            gold_passage=gold_passage,
        )

    def _retrieve(self, doc_id: int, doc: Doc) -> tuple[tuple[int, ...] | None, int | None, Doc]:
        """``retrieve``: the top-k passages for the doc's query, its gold passage, and the doc
        the prompt is rendered from (with ``retrieved``, the passages' texts, best first)."""
        spec = self.config.retrieve
        if spec is None or self.corpus is None:
            return None, None, doc
        query = render(spec.query, doc, where=f"task '{self.name}': retrieve.query")
        found = tuple(self.corpus.search(query, spec.k))
        gold = self.corpus.position(self._doc_passages[doc_id])
        return found, gold, {**doc, "retrieved": [self.corpus.passages[i] for i in found]}

    def _prompt(
        self, prefix: str, doc: Doc, formatter: PromptFormatter, *, perturbed: bool = False
    ) -> str:
        """The prompt: ``prefix`` (description and few-shot exemplars), then the document's
        ``doc_to_text``, passed through ``formatter``; the one builder of originals and of
        their perturbed copies."""
        where = f"task '{self.name}': doc_to_text" + (" (perturbed)" if perturbed else "")
        return formatter(prefix + render(self.config.doc_to_text, doc, where=where))

    def _gold_value(self, doc: Doc) -> float | None:
        template = self.config.doc_to_value
        if template is None:
            return None
        rendered = render(template, doc, where=f"task '{self.name}': doc_to_value")
        try:
            return float(rendered)
        except ValueError:
            raise HarnessError(
                f"task '{self.name}': doc_to_value rendered {rendered[:40]!r}, not a number; "
                "make it render a number"
            ) from None

    def _targets(self, doc: Doc) -> tuple[str, ...]:
        templates = self.config.doc_to_target
        if isinstance(templates, str):
            templates = [templates]
        return tuple(render(t, doc, where=f"task '{self.name}': doc_to_target") for t in templates)

    def _fewshot_target(self, doc: Doc) -> str:
        template = self.config.fewshot_config.doc_to_target
        if template is not None:
            return render(template, doc, where=f"task '{self.name}': few-shot doc_to_target")
        targets = self._targets(doc)
        if self.config.output_type == "multiple_choice":
            labels = self._choices(doc)
            return labels[self._gold(doc, labels)]
        return targets[0]

    def _choices(self, doc: Doc) -> list[str]:
        spec = self.config.doc_to_choice
        where = f"task '{self.name}': doc_to_choice"
        if spec is None:
            raise HarnessError(f"{where} is missing; multiple_choice tasks list their choices")
        if isinstance(spec, list):
            return [render(t, doc, where=where) for t in spec]
        return self._render_list(spec, doc, "doc_to_choice")

    def _render_list(self, template: str, doc: Doc, key: str) -> list[str]:
        """A template that renders a non-empty Python list literal, as strings."""
        where = f"task '{self.name}': {key}"
        rendered = render(template, doc, where=where)
        try:
            value = ast.literal_eval(rendered)
        except (ValueError, SyntaxError):
            raise HarnessError(
                f"{where} rendered {rendered[:60]!r}, not a list; make it render a list literal"
            ) from None
        if not isinstance(value, list) or not value:
            raise HarnessError(f"{where} must render a non-empty list, got {rendered[:60]!r}")
        return [str(v) for v in value]

    def _gold(self, doc: Doc, labels: Sequence[str]) -> int:
        target = self._targets(doc)[0].strip()
        if target in labels:
            return labels.index(target)
        if target.isdigit() and int(target) < len(labels):
            return int(target)
        raise HarnessError(
            f"task '{self.name}': target {target!r} is neither a choice ({', '.join(labels)}) nor a choice index; "
            "fix doc_to_target"
        )

    # -- agents -------------------------------------------------------------------------

    def run_agent(
        self,
        items: Sequence[TaskItem],
        generate: Generate,
        on_done: Callable[[int], None] = lambda _: None,
    ) -> list[list[Result]]:
        """An ``agent`` task's trajectories, one per item, each the item's only result."""
        spec, corpus = self.config.agent, self.corpus
        assert spec is not None and corpus is not None, "run_agent needs a task with agent:"
        trajectories = run_react(
            [item.prompt for item in items],
            generate,
            lambda: ReactTools(corpus),
            spec.max_steps,
            on_done,
        )
        return [[t] for t in trajectories]

    # -- outcomes -----------------------------------------------------------------------

    def outcome(self, item: TaskItem, results: Sequence[Result]) -> ItemOutcome:
        """What the item produced, in the form metrics read."""
        if item.perturbed:  # HELM's perturbed copies, each judged like the original
            plain = dataclasses.replace(item, perturbed=())
            return perturbed_outcome(
                item.prompt,
                item.perturbed,
                results,
                lambda prompt, part: self.outcome(dataclasses.replace(plain, prompt=prompt), part),
            )
        if self.config.output_type == "multiple_choice":
            lls = [r for r in results if isinstance(r, LoglikelihoodResult)]
            return ItemOutcome(
                choice_logprobs=tuple(r.logprob for r in lls),
                choice_is_greedy=tuple(r.is_greedy for r in lls),
                # the choices without the target delimiter: lm-eval's acc_norm divides by
                # len(" yes") minus the space (ConfigurableTask.process_results)
                choices=None
                if item.choices is None
                else tuple(c[len(self.config.target_delimiter) :] for c in item.choices),
                gold=item.gold,
                gold_value=item.gold_value,
                group=item.group,
                attributes=dict(item.attributes),
                retrieved=item.retrieved,
                gold_passage=item.gold_passage,
            )
        if self.config.agent is not None:
            (trajectory,) = results
            assert isinstance(trajectory, Trajectory)
            return ItemOutcome(
                prediction=trajectory.prediction,
                raw_prediction=trajectory.answer,
                references=item.references,
                steps=trajectory.steps,
            )
        if self.config.output_type == "generate_until":
            return self._generation_outcome(item, results)
        (rolled,) = results
        assert isinstance(rolled, RollingResult)
        units_template = self.config.rolling_units
        if units_template is None:
            units_text, n_bytes = item.prompt, rolled.n_bytes
        else:
            units_text = render(
                units_template, item.doc, where=f"task '{self.name}': rolling_units"
            )
            n_bytes = len(units_text.encode("utf-8"))
        return ItemOutcome(
            logprob=rolled.logprob,
            n_tokens=rolled.n_tokens,
            n_bytes=n_bytes,
            n_words=len(re.split(r"\s+", units_text)),
        )

    def _generation_outcome(self, item: TaskItem, results: Sequence[Result]) -> ItemOutcome:
        """Generated answers: filtered, or run as programs, then (with ``vote``) voted on."""
        answer_filter = self.config.filter
        texts = [r.text for r in results if isinstance(r, GenerationResult)]
        answers = (
            texts if answer_filter is None else [extract_answer(t, answer_filter) for t in texts]
        )
        programs = None
        if self.executor is not None:
            programs = tuple(run_generations(self.executor, answers, item.doc))
            answers = [p.answer for p in programs]
        prediction, agreement = answers[0], None
        if self.config.vote == "majority":
            prediction, agreement = majority(answers)
        return ItemOutcome(
            prediction=prediction,
            raw_prediction=None if answer_filter is None else texts[0],
            references=item.references,
            false_references=item.false_references or None,
            group=item.group,
            predictions=None if len(texts) == 1 else tuple(answers),
            programs=programs,
            agreement=agreement,
            retrieved=item.retrieved,
            gold_passage=item.gold_passage,
        )


def get_metric_for(config: TaskConfig, name: str) -> Any:
    """The metric ``name``, checked to fit the task's output type."""
    try:
        metric = get_metric(name)
    except HarnessError:
        from harness.metrics import known_metrics

        raise HarnessError(
            f"task '{config.task}': unknown metric '{name}'"
            f"{did_you_mean(name, known_metrics(config.output_type))}; "
            f"known for {config.output_type}: "
            f"{', '.join(known_metrics(config.output_type))}"
        ) from None
    if config.output_type not in metric.output_types:
        from harness.metrics import known_metrics

        raise HarnessError(
            f"task '{config.task}': metric '{name}' does not apply to {config.output_type} tasks; "
            f"use one of {', '.join(known_metrics(config.output_type))}"
        )
    return metric
