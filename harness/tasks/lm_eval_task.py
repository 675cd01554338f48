"""An lm-eval task file, read as it is, run by our engine.

lm-eval's ``ConfigurableTask`` decides what a prompt is: a field name or a Jinja template
(rendered by lm-eval's own ``apply_template``) or a ``!function``; a target that is an int
indexes the choices; few-shot exemplars come from one seeded stream shared by the task's
documents in order; a ``description`` comes first; ``filter_list`` pipelines (lm-eval's own
filter classes) turn a generation into the answer. This module follows those rules line by
line so the requests equal lm-eval's byte for byte (``tests/tasks/test_lm_eval_tasks.py``
checks them against ``ConfigurableTask``), and then hands the items to our backends,
metrics, store and statistics like any other task.

Keys we do not support are refused by name; keys that change nothing in a run
(``task_alias``, ``tag``, decontamination settings, ``metadata``) are kept in the stored
config only.
"""

from __future__ import annotations

import ast
import random
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from harness.backends.generation_config import make_generation_config
from harness.backends.requests import (
    GenerationRequest,
    GenerationResult,
    LoglikelihoodRequest,
    LoglikelihoodResult,
)
from harness.data.readers import Doc
from harness.data.source import DatasetSpec
from harness.errors import HarnessError, did_you_mean
from harness.hashing import content_hash
from harness.metrics import get_metric
from harness.metrics.base import Metric
from harness.metrics.lm_eval_metrics import (
    NO_FILTER,
    FilteredMetric,
    LmEvalExactMatch,
    LmEvalLabelAggregate,
)
from harness.metrics.outcome import ItemOutcome
from harness.tasks.config import FewshotConfig, TaskConfig
from harness.tasks.lm_eval_data import DataMap, load_lm_eval_dataset
from harness.tasks.lm_eval_index import LmEvalTaskSource
from harness.tasks.lm_eval_yaml import TaskFunction
from harness.tasks.task import PromptFormatter, Request, Result, Task, TaskItem

# Keys read here; every other key is refused by name.
SUPPORTED_KEYS = frozenset(
    {
        "task",
        "task_alias",
        "tag",
        "dataset_path",
        "dataset_name",
        "dataset_kwargs",
        "training_split",
        "validation_split",
        "test_split",
        "fewshot_split",
        "process_docs",
        "doc_to_text",
        "doc_to_target",
        "doc_to_choice",
        "description",
        "target_delimiter",
        "fewshot_delimiter",
        "fewshot_config",
        "num_fewshot",
        "output_type",
        "metric_list",
        "generation_kwargs",
        "repeats",
        "filter_list",
        "metadata",
        "should_decontaminate",
        "doc_to_decontamination_query",
    }
)
# Keys lm-eval allows that we accept only at their "off" value.
_OFF_VALUES: dict[str, Any] = {"unsafe_code": False, "gen_prefix": None, "use_prompt": None}
_FEWSHOT_KEYS = frozenset(
    {
        "sampler",
        "split",
        "samples",
        "process_docs",
        "doc_to_text",
        "doc_to_target",
        "doc_to_choice",
        "fewshot_delimiter",
        "target_delimiter",
    }
)
_OUTPUT_TYPES = ("multiple_choice", "generate_until")
_MEAN_METRICS = {
    "multiple_choice": ("acc", "acc_norm", "acc_bytes"),
    "generate_until": ("exact_match",),
}
_LABEL_METRICS = ("f1", "mcc")  # (gold, pred) items with a set-level aggregation
_EXACT_MATCH_KWARGS = frozenset(
    {"ignore_case", "ignore_punctuation", "regexes_to_ignore", "ignore_numbers"}
)
_GENERATION_KEYS = {"until": "stop", "max_gen_toks": "max_new_tokens", "do_sample": "do_sample"}
_GENERATION_PASS = ("temperature", "top_p", "top_k")
DEFAULT_MAX_GEN_TOKS = 256  # lm-eval's HFLM default when a task names none
FEWSHOT_SEED = 1234  # lm_eval's --fewshot_random_seed default


class LmEvalTask(Task):
    """An lm-eval task config with its data loaded, building lm-eval's exact requests."""

    def __init__(
        self,
        source: LmEvalTaskSource,
        data_root: Path | None,
        data_map: DataMap,
        *,
        num_fewshot: int | None = None,
        generation_overrides: dict[str, Any] | None = None,
        fewshot_seed: int = FEWSHOT_SEED,
    ) -> None:
        raw = source.config
        self.source = source
        self.name = source.name
        self.where = f"{source.path}: lm-eval task '{self.name}'"
        _check_keys(raw, self.where)
        self.raw = raw
        output_type = raw.get("output_type", "generate_until")
        if output_type not in _OUTPUT_TYPES:
            raise HarnessError(
                f"{self.where}: output_type '{output_type}' is not supported; "
                f"supported: {', '.join(_OUTPUT_TYPES)}"
            )
        self.output_type: str = output_type
        self.target_delimiter: str = raw.get("target_delimiter", " ")
        self.fewshot_delimiter: str = raw.get("fewshot_delimiter", "\n\n")
        self.fewshot = {
            "split": raw.get("fewshot_split"),
            "process_docs": raw.get("process_docs"),
            "fewshot_delimiter": self.fewshot_delimiter,
            "target_delimiter": self.target_delimiter,
            "doc_to_text": raw.get("doc_to_text"),
            "doc_to_choice": raw.get("doc_to_choice"),
            "doc_to_target": raw.get("doc_to_target"),
            "sampler": "default",
            **(raw.get("fewshot_config") or {}),
        }
        if self.fewshot["sampler"] not in ("default", "first_n"):
            raise HarnessError(
                f"{self.where}: fewshot_config.sampler '{self.fewshot['sampler']}' is not "
                "supported; supported: default, first_n"
            )
        shots = raw.get("num_fewshot") if num_fewshot is None else num_fewshot
        self.num_fewshot: int = int(shots or 0)
        self.fewshot_seed = fewshot_seed
        self.repeats = int(raw.get("repeats", 1))
        # lm-eval's filter_list: named pipelines, each turning the generations into an answer
        self.pipelines = self._pipelines(raw.get("filter_list"))
        self.generation_config = None
        gen_values: dict[str, Any] = {}
        if output_type == "generate_until":
            gen_values = {**_generation_values(raw, self.where), **(generation_overrides or {})}
            self.generation_config = make_generation_config(
                gen_values, where=f"{self.where}: generation_kwargs"
            )
        self.metrics = self._metrics(raw.get("metric_list"))
        self._load_docs(data_root, data_map)
        self.config = self._task_config(gen_values)
        self.task_hash = self.config.content_hash()
        self._shot_stream: list[list[Doc]] = []
        self._rng = random.Random(fewshot_seed)

    # -- data ---------------------------------------------------------------------------

    def _load_docs(self, data_root: Path | None, data_map: DataMap) -> None:
        raw = self.raw
        test_split = raw.get("test_split") or raw.get("validation_split")
        if test_split is None:
            raise HarnessError(
                f"{self.where}: names neither test_split nor validation_split; add one"
            )
        self.eval_split: str = test_split
        fewshot_split = self.fewshot["split"]
        samples = self.fewshot.get("samples")
        if fewshot_split is None and samples is None:  # lm-eval: train, else validation, else test
            fewshot_split = (
                raw.get("training_split") or raw.get("validation_split") or raw.get("test_split")
            )
        wanted = [test_split]
        if self.num_fewshot > 0 and fewshot_split is not None and fewshot_split != test_split:
            wanted.append(fewshot_split)
        if "dataset_path" not in raw:
            raise HarnessError(f"{self.where}: missing dataset_path; name the dataset")
        loaded = load_lm_eval_dataset(
            raw["dataset_path"],
            raw.get("dataset_name"),
            dict(raw.get("dataset_kwargs") or {}),
            wanted,
            data_root=data_root,
            data_map=data_map,
            task=self.name,
        )
        process = raw.get("process_docs")
        dataset = loaded.splits[test_split]
        if process is not None:
            dataset = self._call(process, "process_docs", dataset)
        self.features: list[str] = list(dataset.features.keys())
        self.docs = [dict(d) for d in dataset]
        if not self.docs:
            raise HarnessError(f"{self.where}: split '{test_split}' has no documents")
        self.data_origin = loaded.origin
        hashes = [loaded.hashes[test_split]]
        self.fewshot_docs: list[Doc] = []
        if self.num_fewshot > 0:
            if self.fewshot["split"] is None and samples is not None:
                listed = samples() if callable(samples) else samples
                self.fewshot_docs = [dict(d) for d in listed]
                hashes.append(content_hash(self.fewshot_docs))
            elif fewshot_split is not None:
                pool = loaded.splits[fewshot_split]
                fs_process = self.fewshot.get("process_docs")
                if self.fewshot["split"] is None:  # lm-eval's fallback path: the task's own
                    fs_process = process
                if fs_process is not None:
                    pool = self._call(fs_process, "process_docs", pool)
                self.fewshot_docs = [dict(d) for d in pool]
                hashes.append(loaded.hashes[fewshot_split])
            if not self.fewshot_docs:
                raise HarnessError(
                    f"{self.where}: {self.num_fewshot}-shot needs few-shot documents but the "
                    "task has none; use --shots 0"
                )
        self.data_hash = hashes[0] if len(hashes) == 1 else content_hash(hashes)
        first = self.docs[0]
        self.multiple_input = 0
        if raw.get("doc_to_choice") is not None and isinstance(self.doc_to_text(first), int):
            self.multiple_input = len(self.doc_to_choice(first))

    # -- lm-eval's doc functions ------------------------------------------------------------

    def _call(self, function: Any, key: str, *args: Any) -> Any:
        try:
            return function(*args)
        except HarnessError:
            raise
        except Exception as exc:  # the task's own code failed on a doc
            raise HarnessError(
                f"{self.where}: {key} failed ({type(exc).__name__}: {exc}); fix the task's code or data"
            ) from None

    def _template(self, template: str, doc: Doc, key: str) -> str:
        from lm_eval.utils import apply_template

        try:
            return str(apply_template(template, doc))
        except Exception as exc:  # jinja2 errors of many kinds
            raise HarnessError(
                f"{self.where}: {key} template failed ({type(exc).__name__}: {exc}); "
                f"the doc has fields: {', '.join(sorted(doc))}"
            ) from None

    def doc_to_text(self, doc: Doc, spec: Any = None) -> Any:
        spec = self.raw.get("doc_to_text") if spec is None else spec
        if isinstance(spec, int):
            return spec
        if isinstance(spec, str):
            if spec in self.features:
                return doc[spec]
            text = self._template(spec, doc, "doc_to_text")
            if text.isdigit() and self.raw.get("doc_to_choice") is not None:
                return ast.literal_eval(text)
            return text
        if callable(spec):
            return self._call(spec, "doc_to_text", doc)
        raise HarnessError(f"{self.where}: doc_to_text must be a field, a template or a function")

    def doc_to_target(self, doc: Doc, spec: Any = None) -> Any:
        spec = self.raw.get("doc_to_target") if spec is None else spec
        if isinstance(spec, int | list):
            return spec
        if isinstance(spec, str):
            if spec in self.features:
                return doc[spec]
            text = self._template(spec, doc, "doc_to_target")
            if text.isdigit() and self.raw.get("doc_to_choice") is not None:
                return ast.literal_eval(text)
            if len(text) >= 2 and text[0] == "[" and text[-1] == "]":
                try:
                    return ast.literal_eval(text)
                except (SyntaxError, ValueError):
                    return text
            return text
        if callable(spec):
            return self._call(spec, "doc_to_target", doc)
        raise HarnessError(f"{self.where}: doc_to_target must be a field, a template or a function")

    def doc_to_choice(self, doc: Doc, spec: Any = None) -> list[str]:
        spec = self.raw.get("doc_to_choice") if spec is None else spec
        if isinstance(spec, str):
            if spec in self.features:
                return list(doc[spec])
            rendered = self._template(spec, doc, "doc_to_choice")
            try:
                return list(ast.literal_eval(rendered))
            except (SyntaxError, ValueError):
                raise HarnessError(
                    f"{self.where}: doc_to_choice rendered {rendered[:60]!r}, not a list"
                ) from None
        if isinstance(spec, list):
            return spec
        if isinstance(spec, dict):
            return list(spec.values())
        if callable(spec):
            return list(self._call(spec, "doc_to_choice", doc))
        raise HarnessError(f"{self.where}: multiple_choice needs doc_to_choice")

    # -- prompts ------------------------------------------------------------------------

    def shots_for(self, doc_id: int) -> list[Doc]:
        """The few-shot docs of document ``doc_id``: lm-eval draws them from one stream, doc
        after doc, so a document's draw is replayed after those of the documents before it."""
        while len(self._shot_stream) <= doc_id:
            self._shot_stream.append(self._draw(self.docs[len(self._shot_stream)]))
        return self._shot_stream[doc_id]

    def _draw(self, doc: Doc) -> list[Doc]:
        n = self.num_fewshot
        if n == 0:
            return []
        exclude = self.fewshot["split"] == self.raw.get("test_split")
        pool = self.fewshot_docs
        if self.fewshot["sampler"] == "first_n":
            candidates = [d for d in pool if d != doc] if exclude else pool
            if n > len(candidates):
                raise HarnessError(
                    f"{self.where}: {n} few-shot examples asked for, {len(candidates)} available"
                )
            return candidates[:n]
        if n + (1 if exclude else 0) > len(pool):
            raise HarnessError(
                f"{self.where}: {n} few-shot examples asked for, {len(pool)} available; lower --shots"
            )
        if not exclude:
            return self._rng.sample(pool, n)
        drawn = [d for d in self._rng.sample(pool, n + 1) if d != doc][:n]
        if len(drawn) < n:  # copies of the doc in the pool: lm-eval draws again without them
            drawn = self._rng.sample([d for d in pool if d != doc], n)
        return drawn

    def _item(self, doc_id: int, doc: Doc, formatter: PromptFormatter) -> TaskItem:
        raw = self.raw
        description = raw.get("description") or ""
        if description:
            description = (
                doc[description]
                if description in doc
                else self._template(description, doc, "description")
            )
        parts = [str(description)]
        fs = self.fewshot
        for shot in self.shots_for(doc_id):
            question = self.doc_to_text(shot, fs["doc_to_text"])
            choices = self.doc_to_choice(shot, fs["doc_to_choice"]) if fs["doc_to_choice"] else None
            answer = self.doc_to_target(shot, fs["doc_to_target"])
            if self.multiple_input:
                assert choices is not None
                question, choices = choices[question], None
            parts.append(
                self._qa_turn(
                    question, choices, answer, fs["target_delimiter"], fs["fewshot_delimiter"]
                )
            )
        prefix = "".join(parts)
        question = self.doc_to_text(doc)
        requests: tuple[Request, ...]
        choices_out: tuple[str, ...] | None = None
        gold: int | None = None
        if self.output_type == "multiple_choice":
            labels = self.doc_to_choice(doc)
            if self.multiple_input:
                contexts = [formatter(prefix + label) for label in labels]
                continuation = f"{self.target_delimiter}{self.doc_to_target(doc)}"
                requests = tuple(LoglikelihoodRequest(c, continuation) for c in contexts)
                prompt = contexts[0]
                gold = self._gold_index(question, labels, doc_id)
            else:
                prompt = formatter(prefix + self._as_text(question, "doc_to_text"))
                requests = tuple(
                    LoglikelihoodRequest(prompt, f"{self.target_delimiter}{c}") for c in labels
                )
                gold = self._gold_index(self.doc_to_target(doc), labels, doc_id)
            choices_out = tuple(r.continuation for r in requests)  # type: ignore[union-attr]
            references: tuple[str, ...] = (str(labels[gold]),)
        else:
            prompt = formatter(prefix + self._as_text(question, "doc_to_text"))
            assert self.generation_config is not None
            requests = (GenerationRequest(prompt, self.generation_config),) * self.repeats
            references = self._references(doc)
        return TaskItem(
            doc_id=doc_id,
            doc=doc,
            doc_hash=content_hash(doc),
            prompt=prompt,
            prompt_hash=content_hash(
                [
                    [
                        getattr(r, "context", None) or getattr(r, "prompt", ""),
                        getattr(r, "continuation", ""),
                    ]
                    for r in requests
                ]
            ),
            requests=requests,
            choices=choices_out,
            gold=gold,
            references=references,
        )

    def _qa_turn(
        self,
        question: Any,
        choices: list[str] | None,
        answer: Any,
        target_delim: str,
        fewshot_delim: str,
    ) -> str:
        """One few-shot exemplar as lm-eval's ``build_qa_turn`` renders it as plain text."""
        text = self._as_text(question, "few-shot doc_to_text")
        if answer is None or answer == "":
            return text
        if choices and isinstance(answer, int):
            answer_text = choices[answer]
        elif isinstance(answer, list):
            answer_text = answer[0]
        else:
            answer_text = answer
        return (
            text
            + target_delim
            + self._as_text(answer_text, "few-shot doc_to_target")
            + fewshot_delim
        )

    def _as_text(self, value: Any, key: str) -> str:
        if not isinstance(value, str):
            raise HarnessError(
                f"{self.where}: {key} gave {type(value).__name__} {value!r}, not text"
            )
        return value

    def _gold_index(self, gold: Any, labels: Sequence[str], doc_id: int) -> int:
        if isinstance(gold, str) and gold in labels:
            return list(labels).index(gold)
        if isinstance(gold, int) and 0 <= gold < len(labels):
            return gold
        raise HarnessError(
            f"{self.where}: document {doc_id}: target {gold!r} is neither a choice nor a choice "
            "index (lists of targets are not supported)"
        )

    def _references(self, doc: Doc) -> tuple[str, ...]:
        gold = self.doc_to_target(doc)
        if self.raw.get("doc_to_choice") is not None:
            return (str(self.doc_to_choice(doc)[gold]),)
        if isinstance(gold, list):
            return tuple(str(g) for g in gold)
        return (str(gold),)

    # -- outcomes -----------------------------------------------------------------------

    def outcome(self, item: TaskItem, results: Sequence[Result]) -> ItemOutcome:
        if self.output_type == "multiple_choice":
            lls = [r for r in results if isinstance(r, LoglikelihoodResult)]
            return ItemOutcome(
                choice_logprobs=tuple(r.logprob for r in lls),
                choice_is_greedy=tuple(r.is_greedy for r in lls),
                # lm-eval's acc_norm divides by the length of doc_to_choice's strings
                choices=tuple(self.doc_to_choice(item.doc)),
                gold=item.gold,
            )
        texts = [r.text for r in results if isinstance(r, GenerationResult)]
        answers = {
            name: self.filter_answer(texts, item.doc, steps) for name, steps in self.pipelines
        }
        return ItemOutcome(
            prediction=next(iter(answers.values())),
            filtered=answers,
            raw_prediction=texts[0],
            references=item.references,
            predictions=tuple(texts) if len(texts) > 1 else None,
        )

    def filter_answer(
        self, texts: list[str], doc: Doc, steps: Sequence[Callable[[], Any]] | None = None
    ) -> str:
        """The answer one lm-eval filter pipeline (by default the first) makes of an item's
        generations."""
        responses: Any = [list(texts)]
        for make_filter in self.pipelines[0][1] if steps is None else steps:
            responses = list(make_filter().apply(responses, [doc]))
        (answer,) = responses
        if not isinstance(answer, str):
            raise HarnessError(
                f"{self.where}: the filter pipeline left {type(answer).__name__}, not one answer; "
                "end it with take_first or majority_vote"
            )
        return answer

    # -- config ---------------------------------------------------------------------------

    def _pipelines(self, filter_list: Any) -> list[tuple[str, list[Callable[[], Any]]]]:
        """lm-eval's pipelines by name, in file order; none given is lm-eval's ``none``:
        the first generation as it is."""
        from functools import partial

        import lm_eval.filters  # noqa: F401  (registers lm-eval's filters)
        from lm_eval.api.registry import get_filter

        if filter_list is None:
            return [(NO_FILTER, [get_filter("take_first")])]
        if not isinstance(filter_list, list) or not filter_list:
            raise HarnessError(
                f"{self.where}: filter_list must be a list of pipelines "
                "(- name: ..., filter: [...]); fix the task file"
            )
        pipelines: list[tuple[str, list[Callable[[], Any]]]] = []
        for entry in filter_list:
            name = entry.get("name") if isinstance(entry, dict) else None
            if not isinstance(name, str) or not name:
                raise HarnessError(f"{self.where}: filter_list entry {entry!r} has no name")
            if name in (p[0] for p in pipelines):
                raise HarnessError(f"{self.where}: filter_list names '{name}' twice")
            steps: list[Callable[[], Any]] = []
            for step in entry.get("filter", []):
                function = step["function"]
                if isinstance(function, TaskFunction):
                    function = function.function
                kwargs = {k: v for k, v in step.items() if k != "function"}
                try:
                    steps.append(partial(get_filter(function), **kwargs))
                except Exception as exc:  # lm-eval: KeyError for an unknown filter name
                    raise HarnessError(
                        f"{self.where}: filter '{function}' is unknown ({exc})"
                    ) from None
            pipelines.append((name, steps))
        return pipelines

    def _metrics(self, metric_list: Any) -> list[Metric]:
        entries = metric_list or [{"metric": m} for m in _MEAN_METRICS[self.output_type][:1]]
        metrics: list[Metric] = []
        for entry in entries:
            name = entry.get("metric") if isinstance(entry, dict) else None
            if not isinstance(name, str):
                raise HarnessError(f"{self.where}: metric_list entry {entry!r} names no metric")
            aggregation = entry.get("aggregation")
            kwargs = {
                k: v
                for k, v in entry.items()
                if k not in ("metric", "aggregation", "higher_is_better")
            }
            metric = self._metric(name, aggregation, kwargs)
            if "higher_is_better" in entry:
                metric.higher_is_better = bool(entry["higher_is_better"])
            metrics.append(metric)
        if self.output_type != "generate_until" or [p[0] for p in self.pipelines] == [NO_FILTER]:
            return metrics
        # every metric on every pipeline's answers, named as lm-eval reports them
        return [FilteredMetric(m, name) for name, _ in self.pipelines for m in metrics]

    def _metric(self, name: str, aggregation: Any, kwargs: dict[str, Any]) -> Metric:
        known = _MEAN_METRICS[self.output_type] + (
            _LABEL_METRICS if self.output_type == "multiple_choice" else ()
        )
        if name not in known:
            raise HarnessError(
                f"{self.where}: metric '{name}' is not supported for {self.output_type}"
                f"{did_you_mean(name, known)}; supported: {', '.join(known)}"
            )
        if name in _MEAN_METRICS[self.output_type]:
            if aggregation not in (None, "mean"):
                raise HarnessError(
                    f"{self.where}: metric '{name}' with aggregation {aggregation!r} is not "
                    "supported; use mean"
                )
            if name == "exact_match":
                unknown = sorted(set(kwargs) - _EXACT_MATCH_KWARGS)
                if unknown:
                    raise HarnessError(
                        f"{self.where}: exact_match option '{unknown[0]}' is not supported; "
                        f"supported: {', '.join(sorted(_EXACT_MATCH_KWARGS))}"
                    )
                return LmEvalExactMatch(name, True, **kwargs)
            return get_metric(name)
        if aggregation is None:
            return get_metric(name)
        if isinstance(aggregation, TaskFunction):
            return LmEvalLabelAggregate(name, True, aggregation.function)
        from lm_eval.api.registry import get_aggregation

        function = get_aggregation(str(aggregation))
        if function is None:
            raise HarnessError(
                f"{self.where}: metric '{name}': unknown aggregation {aggregation!r}"
            )
        return LmEvalLabelAggregate(name, True, function)

    def _task_config(self, generation: dict[str, Any]) -> TaskConfig:
        """Our record of the task: the lm-eval config itself (functions by source hash)
        and the fields the runner reads."""
        raw = self.raw
        fewshot_split = self.fewshot["split"]
        return TaskConfig(
            task=self.name,
            tag=[str(t) for t in _as_list(raw.get("tag"))],
            dataset=DatasetSpec(
                path=str(raw.get("dataset_path")), splits={self.eval_split: self.data_origin}
            ),
            output_type=self.output_type,  # type: ignore[arg-type]
            test_split=self.eval_split,
            fewshot_split=fewshot_split,
            num_fewshot=self.num_fewshot,
            fewshot_config=FewshotConfig(
                sampler="first_n" if self.fewshot["sampler"] == "first_n" else "random",
                seed=self.fewshot_seed,
            ),
            description=raw.get("description") or "",
            doc_to_text=str(_printable(raw.get("doc_to_text"))),
            target_delimiter=self.target_delimiter,
            fewshot_delimiter=self.fewshot_delimiter,
            metric_list=[m.name for m in self.metrics],
            generation_kwargs=generation,
            repeats=self.repeats,
            lm_eval=_printable(raw),
        )


def _check_keys(raw: dict[str, Any], where: str) -> None:
    for key, value in raw.items():
        if key in SUPPORTED_KEYS:
            continue
        if key in _OFF_VALUES and value == _OFF_VALUES[key]:
            continue
        known = sorted(SUPPORTED_KEYS)
        raise HarnessError(
            f"{where}: lm-eval key '{key}' is not supported"
            f"{' (only ' + repr(_OFF_VALUES[key]) + ')' if key in _OFF_VALUES else ''}; "
            f"supported: {', '.join(known)}"
        )
    for key in raw.get("fewshot_config") or {}:
        if key not in _FEWSHOT_KEYS:
            raise HarnessError(
                f"{where}: lm-eval key 'fewshot_config.{key}' is not supported; "
                f"supported: {', '.join(sorted(_FEWSHOT_KEYS))}"
            )


def _generation_values(raw: dict[str, Any], where: str) -> dict[str, Any]:
    """lm-eval's generation_kwargs as our GenerationConfig's keys (its defaults filled in)."""
    given = raw.get("generation_kwargs")
    delimiter = raw.get("fewshot_delimiter", "\n\n")
    kwargs = dict(given) if given is not None else {"do_sample": False}
    kwargs.setdefault("until", [delimiter])
    kwargs.setdefault("max_gen_toks", DEFAULT_MAX_GEN_TOKS)
    out: dict[str, Any] = {}
    for key, value in kwargs.items():
        if key in _GENERATION_KEYS:
            out[_GENERATION_KEYS[key]] = value
        elif key in _GENERATION_PASS:
            out[key] = value
        else:
            raise HarnessError(
                f"{where}: generation_kwargs '{key}' is not supported; supported: "
                f"{', '.join([*_GENERATION_KEYS, *_GENERATION_PASS])}"
            )
    if isinstance(out.get("stop"), str):
        out["stop"] = [out["stop"]]
    # Greedy decoding ignores temperature; lm-eval writes 0.0 there, which HF reads as greedy.
    if not out.get("do_sample") or float(out.get("temperature", 1.0)) == 0.0:
        out["do_sample"] = False
        out.pop("temperature", None)
    return out


def _printable(value: Any) -> Any:
    """The config as JSON: functions as ``!function spec@source-hash``."""
    if isinstance(value, TaskFunction):
        return f"!function {value.fingerprint()}"
    if isinstance(value, dict):
        return {str(k): _printable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_printable(v) for v in value]
    if callable(value):
        return f"!callable {getattr(value, '__qualname__', repr(value))}"
    return value


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]
