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

import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from harness.errors import HarnessError
from harness.hashing import content_hash
from harness.metrics.lm_eval_metrics import filtered_metric_name
from harness.runner.lm_eval_samples import read_jsonl, sample_files, samples_of
from harness.store import (
    ModelRecord,
    RunRecord,
    SampleRecord,
    ScoreRecord,
    Store,
    TaskResultRecord,
    new_run_id,
)

_SECRET_ARG = re.compile(r"key|token|secret|password|auth", re.IGNORECASE)


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
        found = sample_files(samples_dir, task_names)
        for task in tasks:
            lines = read_jsonl(found[task.task])
            imported.samples[task.task] = samples_of(run_id, task, lines, str(found[task.task]))
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
