"""``harness import lm-eval``: an lm-eval results file (and its ``--log_samples`` files) as a run.

Results made by lm-eval then sit on our leaderboard beside our own runs, and, with samples,
can be gated against them item by item. Everything is read and checked before the first
write, so a bad file leaves the store untouched.

Identity: lm-eval never hashed the weights it ran, so the model's identity here is a hash of
what lm-eval recorded about it (``model``, ``model_args``, ``model_name``, and the revision
and commit sha when lm-eval logged them), prefixed ``lm-eval:`` so it can never be mistaken
for a weights hash. Items pair with our own runs because their document and prompt hashes
are computed the way :class:`harness.tasks.lm_eval_task.LmEvalTask` computes them, from the
document and request arguments lm-eval logged.

Metric names follow lm-eval's ``metric,filter`` keys: the filter ``none`` is dropped
(``acc,none`` is our ``acc``), any other filter stays in the name (``exact_match,strict-match``),
which is how our lm-eval tasks name a filter pipeline's metrics.
"""

from __future__ import annotations

import ast
import json
import math
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from harness.errors import HarnessError
from harness.hashing import content_hash
from harness.metrics.lm_eval_metrics import NO_FILTER, filtered_metric_name
from harness.store import (
    GenerationOutputs,
    ModelRecord,
    MultipleChoiceOutputs,
    RunRecord,
    SampleRecord,
    ScoreRecord,
    Store,
    TaskResultRecord,
    new_run_id,
)

_SECRET_ARG = re.compile(r"key|token|secret|password|auth", re.IGNORECASE)
_SAMPLES_FILE = re.compile(r"^samples_(?P<task>.+)_(?P<date>\d{4}-\d{2}-\d{2}T[\d\-.]+)\.jsonl$")


@dataclass
class LmEvalImport:
    """Everything one results file becomes, ready to write."""

    model: ModelRecord
    run: RunRecord
    tasks: list[TaskResultRecord]
    scores: dict[str, list[ScoreRecord]]  # by task
    samples: dict[str, list[SampleRecord]] = field(default_factory=dict)  # by task
    aggregates: list[ScoreRecord] = field(default_factory=list)


def metric_name(key: str) -> tuple[str, str] | None:
    """``"acc,none"`` -> ``("acc", "none")``; None for keys that are no metric value."""
    metric, sep, filter_name = key.partition(",")
    if not sep or metric.endswith("_stderr") or metric == "alias":
        return None
    return metric, filter_name


def read_lm_eval_results(
    results_file: Path, samples_dir: Path | None = None, *, run_id: str | None = None
) -> LmEvalImport:
    """Read and check an lm-eval results JSON (and its samples), as store records."""
    where = str(results_file)
    data = _read_json(results_file)
    results = _mapping(data, "results", where)
    if not results:
        raise HarnessError(f"{where}: 'results' is empty; import a file lm-eval wrote")
    config: dict[str, Any] = data["config"] if isinstance(data.get("config"), dict) else {}
    run_id = run_id or new_run_id()
    model = _model_record(data, config)
    groups = _group_names(data)
    task_names = [name for name in results if name not in groups]
    created = _created_at(data)
    lm_eval_version = str(data.get("lm_eval_version") or "unknown")
    configs = data.get("configs") or {}
    n_shot = data.get("n-shot") or {}
    n_samples = data.get("n-samples") or {}
    versions = data.get("versions") or {}
    higher = data.get("higher_is_better") or {}
    task_hashes = data.get("task_hashes") or {}
    run = RunRecord(
        run_id=run_id,
        created_at=created,
        status="running",
        suite="lm-eval:" + ",".join(_top_level(data, task_names, groups)),
        suite_hash=content_hash(
            [[t, content_hash(configs.get(t, {}))] for t in sorted(task_names)]
        ),
        model_spec=model.spec,
        model_hash=model.model_hash,
        harness_version=f"lm-eval {lm_eval_version}",
        git_commit=data.get("git_hash") if isinstance(data.get("git_hash"), str) else None,
        device=str(config.get("device") or "unknown"),
        dtype=model.dtype,
        wall_time_s=_seconds(data.get("total_evaluation_time_seconds")),
        config={
            "imported_from": "lm-eval",
            "results_file": results_file.name,
            "lm_eval_version": lm_eval_version,
            "transformers_version": data.get("transformers_version"),
            "model": config.get("model"),
            "model_args": _redacted(config.get("model_args")),
            "model_name": data.get("model_name"),
            "limit": config.get("limit"),
            "batch_size": config.get("batch_size"),
            "gen_kwargs": config.get("gen_kwargs"),
            "seeds": {
                k: config.get(k)
                for k in ("random_seed", "numpy_seed", "torch_seed", "fewshot_seed")
            },
            "n-shot": n_shot,
            "versions": versions,
            "chat_template": data.get("chat_template"),
            "system_instruction": data.get("system_instruction"),
            "fewshot_as_multiturn": data.get("fewshot_as_multiturn"),
        },
    )
    tasks: list[TaskResultRecord] = []
    scores: dict[str, list[ScoreRecord]] = {}
    for name in task_names:
        counts = n_samples.get(name) or {}
        n = int(counts.get("effective") or 0)
        task_config = configs.get(name) or {}
        tasks.append(
            TaskResultRecord(
                run_id=run_id,
                task=name,
                task_hash=content_hash(task_config),
                data_hash=str(task_hashes.get(name) or content_hash(_dataset_of(task_config))),
                num_fewshot=int(n_shot.get(name) or 0),
                fewshot_seed=config.get("fewshot_seed"),
                n_items=n,
                wall_time_s=0.0,  # lm-eval times the whole run only
                tokens_processed=0,
                details={
                    "config": task_config,
                    "n_docs": counts.get("original", n),
                    "lm_eval_version": versions.get(name),
                    "imported_from": "lm-eval",
                },
            )
        )
        scores[name] = _scores(run_id, name, results[name], n, higher.get(name) or {}, "task")
    aggregates = [
        score
        for name in groups
        if name in (data.get("groups") or results)
        for score in _scores(
            run_id,
            name,
            (data.get("groups") or {}).get(name) or results.get(name) or {},
            sum(int((n_samples.get(t) or {}).get("effective") or 0) for t in groups[name]),
            higher.get(name) or {},
            "aggregate",
        )
    ]
    imported = LmEvalImport(model, run, tasks, scores, aggregates=aggregates)
    if samples_dir is not None:
        found = _sample_files(samples_dir, task_names)
        for task in tasks:
            lines = _read_jsonl(found[task.task])
            imported.samples[task.task] = _samples(run_id, task, lines, str(found[task.task]))
    return imported


def store_lm_eval_import(store: Store, imported: LmEvalImport) -> None:
    """Write the import: the model, the run, each task with its scores and samples, the end.

    A failure after the run was created marks it failed (with the reason), so it never
    shows as complete or lingers as running.
    """
    store.upsert_model(imported.model)
    store.create_run(imported.run)
    try:
        for task in imported.tasks:
            store.commit_task(task, imported.scores[task.task], imported.samples.get(task.task, []))
        if imported.aggregates:
            store.add_scores(imported.aggregates)
    except HarnessError as exc:
        store.finish_run(
            imported.run.run_id,
            status="failed",
            wall_time_s=None,
            tokens_processed=None,
            error=str(exc),
        )
        raise
    store.finish_run(
        imported.run.run_id,
        status="complete",
        wall_time_s=imported.run.wall_time_s,
        tokens_processed=None,
    )


# -- the results file ------------------------------------------------------------------------


def _read_json(path: Path) -> dict[str, Any]:
    if not path.is_file():
        raise HarnessError(f"{path}: no such file; pass the results_*.json lm-eval wrote")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise HarnessError(
            f"{path}: not JSON ({exc}); pass the results_*.json lm-eval wrote"
        ) from None
    if not isinstance(data, dict):
        raise HarnessError(f"{path}: not an lm-eval results object; pass results_*.json")
    return data


def _mapping(data: Mapping[str, Any], key: str, where: str) -> dict[str, Any]:
    value = data.get(key)
    if not isinstance(value, dict):
        raise HarnessError(f"{where}: no '{key}' object; is this an lm-eval results file?")
    return value


def _group_names(data: Mapping[str, Any]) -> dict[str, list[str]]:
    """lm-eval's groups and the tasks under each (nested groups flattened)."""
    subtasks: dict[str, list[str]] = {
        str(k): list(v) for k, v in (data.get("group_subtasks") or {}).items() if v
    }

    def leaves(name: str, seen: frozenset[str]) -> list[str]:
        if name not in subtasks or name in seen:
            return [name]
        return [leaf for sub in subtasks[name] for leaf in leaves(sub, seen | {name})]

    return {name: leaves(name, frozenset()) for name in subtasks}


def _top_level(data: Mapping[str, Any], tasks: list[str], groups: Mapping[str, Any]) -> list[str]:
    """The names a user asked lm-eval for: groups and tasks not inside another group."""
    inside = {sub for subs in (data.get("group_subtasks") or {}).values() for sub in subs}
    return [name for name in [*groups, *tasks] if name not in inside] or tasks


def _created_at(data: Mapping[str, Any]) -> datetime:
    date = data.get("date")
    if isinstance(date, int | float) and math.isfinite(date):
        return datetime.fromtimestamp(float(date), tz=UTC)
    return datetime.now(UTC)


def _seconds(value: Any) -> float | None:
    """lm-eval writes the run's time as text (``"12.5"``)."""
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        return None
    return seconds if math.isfinite(seconds) and seconds >= 0 else None


def _dataset_of(task_config: Mapping[str, Any]) -> dict[str, Any]:
    keys = ("dataset_path", "dataset_name", "test_split", "validation_split", "dataset_kwargs")
    return {k: task_config.get(k) for k in keys}


def _redacted(model_args: Any) -> Any:
    """``model_args`` with any key-, token- or password-like value left out."""
    if isinstance(model_args, str):
        parts = [p for p in model_args.split(",") if p.strip()]
        kept = [
            p
            if not _SECRET_ARG.search(p.partition("=")[0])
            else f"{p.partition('=')[0]}=<redacted>"
            for p in parts
        ]
        return ",".join(kept)
    if isinstance(model_args, dict):
        return {
            k: ("<redacted>" if _SECRET_ARG.search(str(k)) else v) for k, v in model_args.items()
        }
    return model_args


def _model_record(data: Mapping[str, Any], config: Mapping[str, Any]) -> ModelRecord:
    """The model as lm-eval described it; its identity hashes that description, not weights."""
    model_args = _redacted(config.get("model_args"))
    identity = {
        "model_source": data.get("model_source"),
        "model": config.get("model"),
        "model_args": model_args,
        "model_name": data.get("model_name"),
        "model_revision": config.get("model_revision"),
        "model_sha": config.get("model_sha"),
    }
    name = str(data.get("model_name") or config.get("model") or "lm-eval model")
    spec = f"lm-eval:{config.get('model') or data.get('model_source') or 'model'}"
    if model_args:
        spec += f"({model_args if isinstance(model_args, str) else json.dumps(model_args)})"
    params = config.get("model_num_parameters")
    return ModelRecord(
        model_hash="lm-eval:" + content_hash(identity),
        spec=spec,
        name=name,
        source="lm-eval",
        n_parameters=int(params) if isinstance(params, int | float) else 0,
        dtype=str(config.get("model_dtype") or "unknown"),
        details={"identity": identity, "weights_hashed": False},
    )


def _scores(
    run_id: str,
    name: str,
    values: Mapping[str, Any],
    n: int,
    higher_is_better: Mapping[str, Any],
    scope: str,
) -> list[ScoreRecord]:
    out = []
    for key, value in values.items():
        parsed = metric_name(key)
        if parsed is None or isinstance(value, bool) or not isinstance(value, int | float):
            continue  # an alias, a stderr, or a value lm-eval could not compute ("N/A")
        metric, filter_name = parsed
        stderr = values.get(f"{metric}_stderr,{filter_name}")
        out.append(
            ScoreRecord(
                run_id=run_id,
                scope=scope,  # type: ignore[arg-type]
                name=name,
                metric=filtered_metric_name(metric, filter_name),
                value=float(value),
                stderr=float(stderr) if isinstance(stderr, int | float) else None,
                ci_low=None,
                ci_high=None,
                n=n,
                higher_is_better=bool(higher_is_better.get(metric, True)),
                extra={"imported_from": "lm-eval"},
            )
        )
    return out


# -- the samples files -----------------------------------------------------------------------


def _sample_files(folder: Path, tasks: Iterable[str]) -> dict[str, Path]:
    """Each task's ``samples_TASK_DATE.jsonl``: the newest when lm-eval ran it several times."""
    if not folder.is_dir():
        raise HarnessError(f"--samples {folder}: not a folder; pass the folder lm-eval wrote")
    by_task: dict[str, list[tuple[str, Path]]] = defaultdict(list)
    for path in folder.rglob("samples_*.jsonl"):
        found = _SAMPLES_FILE.match(path.name)
        if found:
            by_task[found["task"]].append((found["date"], path))
    missing = [t for t in tasks if t not in by_task]
    if missing:
        raise HarnessError(
            f"--samples {folder}: no samples_{missing[0]}_*.jsonl "
            f"({len(missing)} task(s) without samples); run lm-eval with --log_samples, "
            "or import without --samples"
        )
    return {task: max(files)[1] for task, files in by_task.items()}


def _read_jsonl(path: Path) -> list[dict[str, Any]]:
    lines = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            lines.append(json.loads(line))
        except json.JSONDecodeError as exc:
            raise HarnessError(f"{path}:{number}: not JSON ({exc}); pass lm-eval's file") from None
    return lines


def _samples(
    run_id: str, task: TaskResultRecord, lines: Sequence[dict[str, Any]], where: str
) -> list[SampleRecord]:
    """One sample per document: lm-eval logs one line per (document, filter pipeline)."""
    config = task.details.get("config") or {}
    output_type = config.get("output_type", "generate_until")
    build = _BUILDERS.get(output_type)
    if build is None:
        raise HarnessError(
            f"{where}: samples of output_type '{output_type}' are not imported "
            f"(supported: {', '.join(_BUILDERS)}); import without --samples"
        )
    by_doc: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for line in lines:
        if not isinstance(line.get("doc_id"), int) or "arguments" not in line:
            raise HarnessError(f"{where}: a line without doc_id/arguments; pass lm-eval's file")
        by_doc[line["doc_id"]].append(line)
    samples = []
    for doc_id in sorted(by_doc):
        first, *rest = by_doc[doc_id]
        metrics: dict[str, float] = {}
        for line in (first, *rest):
            for metric in line.get("metrics") or []:
                value = line.get(metric)
                if isinstance(value, int | float) and not isinstance(value, bool):
                    metrics[filtered_metric_name(metric, str(line.get("filter", NO_FILTER)))] = (
                        float(value)
                    )
        arguments = _arguments(first["arguments"])
        samples.append(
            build(
                run_id=run_id,
                task=task.task,
                doc_id=doc_id,
                doc=first.get("doc"),
                arguments=arguments,
                line=first,
                metrics=metrics,
                config=config,
            )
        )
    return samples


def _arguments(logged: Any) -> list[list[Any]]:
    """lm-eval's ``{"gen_args_0": {"arg_0": ..}}`` (as written to disk) as request arg lists."""
    if isinstance(logged, dict):
        return [
            [args[f"arg_{j}"] for j in range(len(args))]
            for args in (logged[f"gen_args_{i}"] for i in range(len(logged)))
        ]
    return [list(a) for a in logged]


def _logged_target(target: Any) -> Any:
    """lm-eval writes ``str(target)``: a gold index as ``"1"``, a target list as its repr."""
    if not isinstance(target, str):
        return target
    if target.isdigit():
        return int(target)
    if target.startswith("[") and target.endswith("]"):
        try:
            value = ast.literal_eval(target)
        except (SyntaxError, ValueError):
            return target
        return value if isinstance(value, list) else target
    return target


def _prompt_hash(pairs: Sequence[tuple[str, str]]) -> str:
    """As ``LmEvalTask`` hashes an item's requests: ``[[context, continuation], ...]``."""
    return content_hash([[context, continuation] for context, continuation in pairs])


def _multiple_choice(
    *,
    run_id: str,
    task: str,
    doc_id: int,
    doc: Any,
    arguments: list[list[Any]],
    line: Mapping[str, Any],
    metrics: dict[str, float],
    config: Mapping[str, Any],
) -> SampleRecord:
    contexts = [str(a[0]) for a in arguments]
    continuations = [str(a[1]) for a in arguments]
    # lm-eval writes each answer as text: [["-3.25", "False"]] per request
    answers = [r[0] if r and isinstance(r[0], list) else r for r in line["resps"]]
    logprobs = [float(a[0]) for a in answers]
    greedy = [a[1] is True or str(a[1]) == "True" for a in answers]
    best = max(range(len(logprobs)), key=lambda i: (logprobs[i], -i))  # argmax, first of ties
    target = _logged_target(line.get("target"))
    delimiter = str(config.get("target_delimiter", " "))
    if isinstance(target, str) and delimiter + target in continuations:  # a label, not an index
        target = continuations.index(delimiter + target)
    gold = target if isinstance(target, int) and 0 <= target < len(continuations) else None
    label = (
        continuations[gold][len(delimiter) :]
        if gold is not None and continuations[gold].startswith(delimiter)
        else str(target)
    )
    return SampleRecord(
        run_id=run_id,
        task=task,
        doc_id=doc_id,
        doc_hash=content_hash(doc),
        prompt_hash=_prompt_hash(list(zip(contexts, continuations, strict=True))),
        target=label,
        prediction=continuations[best].strip(),
        outputs=MultipleChoiceOutputs(
            prompt=contexts[0],
            choices=continuations,
            logprobs=logprobs,
            is_greedy=greedy,
            gold=gold,
        ),
        metrics=metrics,
    )


def _generation(
    *,
    run_id: str,
    task: str,
    doc_id: int,
    doc: Any,
    arguments: list[list[Any]],
    line: Mapping[str, Any],
    metrics: dict[str, float],
    config: Mapping[str, Any],
) -> SampleRecord:
    prompt = str(arguments[0][0])
    repeats = int(config.get("repeats") or 1)
    target = _logged_target(line.get("target"))
    references = [str(t) for t in target] if isinstance(target, list) else [str(target)]
    raw = line["resps"][0]
    raw_text = str(raw[0] if isinstance(raw, list) else raw)
    answer = line["filtered_resps"][0]
    return SampleRecord(
        run_id=run_id,
        task=task,
        doc_id=doc_id,
        doc_hash=content_hash(doc),
        prompt_hash=_prompt_hash([(prompt, "")] * repeats),
        target=references[0],
        prediction=str(answer[0] if isinstance(answer, list) else answer),
        outputs=GenerationOutputs(
            prompt=prompt, references=references, n_tokens=None, raw_prediction=raw_text
        ),
        metrics=metrics,
    )


_BUILDERS: dict[str, Callable[..., SampleRecord]] = {
    "multiple_choice": _multiple_choice,
    "generate_until": _generation,
}
