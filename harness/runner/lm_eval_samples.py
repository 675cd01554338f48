"""lm-eval's ``--log_samples`` files as our samples, for ``harness import lm-eval``.

lm-eval writes one line per (document, filter pipeline), every value as text. A document
becomes one :class:`SampleRecord` with the metrics of every pipeline, and its document and
prompt hashes are computed as :class:`harness.tasks.lm_eval_task.LmEvalTask` computes them
(``content_hash(doc)``, ``content_hash([[context, continuation], ...])``), so an imported
run pairs item by item with our own run of the same task files.
"""

from __future__ import annotations

import ast
import json
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harness.errors import HarnessError
from harness.hashing import content_hash
from harness.metrics.lm_eval_metrics import NO_FILTER, filtered_metric_name
from harness.store import GenerationOutputs, MultipleChoiceOutputs, SampleRecord, TaskResultRecord

_SAMPLES_FILE = re.compile(r"^samples_(?P<task>.+)_(?P<date>\d{4}-\d{2}-\d{2}T[\d\-.]+)\.jsonl$")


def sample_files(folder: Path, tasks: Iterable[str]) -> dict[str, Path]:
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


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    lines = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            lines.append(json.loads(line))
        except json.JSONDecodeError as exc:
            raise HarnessError(f"{path}:{number}: not JSON ({exc}); pass lm-eval's file") from None
    return lines


def samples_of(
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
        samples.append(
            build(
                _LoggedDoc(
                    run_id=run_id,
                    task=task.task,
                    doc_id=doc_id,
                    doc=first.get("doc"),
                    arguments=_arguments(first["arguments"]),
                    line=first,
                    metrics=metrics,
                    config=config,
                )
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


@dataclass(frozen=True)
class _LoggedDoc:
    """One document of lm-eval's samples file: its first line (the first filter pipeline's),
    the request arguments, and the per-item metrics of every pipeline."""

    run_id: str
    task: str
    doc_id: int
    doc: Any
    arguments: list[list[Any]]
    line: Mapping[str, Any]
    metrics: dict[str, float]
    config: Mapping[str, Any]


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


def _multiple_choice(logged: _LoggedDoc) -> SampleRecord:
    line, config = logged.line, logged.config
    contexts = [str(a[0]) for a in logged.arguments]
    continuations = [str(a[1]) for a in logged.arguments]
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
        run_id=logged.run_id,
        task=logged.task,
        doc_id=logged.doc_id,
        doc_hash=content_hash(logged.doc),
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
        metrics=logged.metrics,
    )


def _generation(logged: _LoggedDoc) -> SampleRecord:
    line, config = logged.line, logged.config
    prompt = str(logged.arguments[0][0])
    repeats = int(config.get("repeats") or 1)
    target = _logged_target(line.get("target"))
    references = [str(t) for t in target] if isinstance(target, list) else [str(target)]
    raw = line["resps"][0]
    raw_text = str(raw[0] if isinstance(raw, list) else raw)
    answer = line["filtered_resps"][0]
    return SampleRecord(
        run_id=logged.run_id,
        task=logged.task,
        doc_id=logged.doc_id,
        doc_hash=content_hash(logged.doc),
        prompt_hash=_prompt_hash([(prompt, "")] * repeats),
        target=references[0],
        prediction=str(answer[0] if isinstance(answer, list) else answer),
        outputs=GenerationOutputs(
            prompt=prompt, references=references, n_tokens=None, raw_prediction=raw_text
        ),
        metrics=logged.metrics,
    )


_BUILDERS: dict[str, Callable[[_LoggedDoc], SampleRecord]] = {
    "multiple_choice": _multiple_choice,
    "generate_until": _generation,
}
