"""The toy suite most tests run: one multiple-choice task and one generation task over tiny
JSONL files, written into a folder of the caller's choosing (a per-test ``tmp_path`` or a
module-scoped one). Importable from any test module: pytest puts ``tests/`` on the path."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Sequence
from pathlib import Path
from typing import Any

Question = tuple[str, list[str], int]  # prompt, options, index of the right one

TOY_QUESTIONS: list[Question] = [
    ("The sky is", ["blue", "green"], 0),
    ("Grass is", ["blue", "green"], 1),
    ("Snow is", ["white", "black"], 0),
]
TOY_TRAIN: list[Question] = [
    ("Coal is", ["white", "black"], 1),
    ("Milk is", ["white", "red"], 0),
]


def write_jsonl(path: Path, rows: Sequence[dict[str, object]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def _rows(questions: Sequence[Question]) -> list[dict[str, object]]:
    return [{"q": q, "options": options, "label": label} for q, options, label in questions]


def write_toy_suite(
    root: Path,
    *,
    questions: Sequence[Question] = TOY_QUESTIONS,
    train: Sequence[Question] | None = TOY_TRAIN,
    max_new_tokens: int = 4,
    gen_metrics: Sequence[str] = ("exact_match", "rouge1", "bleu"),
) -> Path:
    """Write data under ``root/data`` and the suite under ``root/suites``; return the suite
    file. Without ``train`` the few-shot exemplars come from the test split."""
    data = root / "data" / "toy"
    write_jsonl(data / "test.jsonl", _rows(questions))
    splits = "{test: test.jsonl}"
    if train is not None:
        write_jsonl(data / "train.jsonl", _rows(train))
        splits = "{test: test.jsonl, train: train.jsonl}"
    write_jsonl(
        data / "gen.jsonl",
        [{"text": "Say hello", "answer": "hello"}, {"text": "Say bye", "answer": "bye"}],
    )
    suites = root / "suites"
    (suites / "tasks").mkdir(parents=True)
    (suites / "tasks" / "toy_mc.yaml").write_text(
        textwrap.dedent(f"""\
        task: toy_mc
        dataset: {{path: toy, format: jsonl, splits: {splits}}}
        output_type: multiple_choice
        test_split: test
        fewshot_split: {"train" if train is not None else "test"}
        doc_to_text: "Q: {{{{ q }}}}\\nA:"
        doc_to_choice: "{{{{ options }}}}"
        doc_to_target: "{{{{ label }}}}"
        metric_list: [acc, acc_norm]
        params:
          - {{group: a}}
        """)
    )
    (suites / "tasks" / "toy_gen.yaml").write_text(
        textwrap.dedent(f"""\
        task: toy_gen
        dataset: {{path: toy, format: jsonl, splits: {{test: gen.jsonl}}}}
        output_type: generate_until
        test_split: test
        fewshot_split: test
        doc_to_text: "{{{{ text }}}}:"
        doc_to_target: "{{{{ answer }}}}"
        generation_kwargs: {{max_new_tokens: {max_new_tokens}, stop: ["\\n"]}}
        metric_list: [{", ".join(gen_metrics)}]
        params:
          - {{group: b}}
        """)
    )
    suite = suites / "toy.yaml"
    suite.write_text(
        "suite: toy\ntasks: [tasks/toy_mc.yaml, tasks/toy_gen.yaml]\n"
        "aggregate:\n  - metric: acc\n    group_by: group\n"
    )
    return suite


FOUR_TASKS = ("toy_mc", "toy_gen", "toy_mc_b", "toy_gen_b")


def add_second_tasks(suite: Path) -> Path:
    """Turn a toy suite into one of :data:`FOUR_TASKS`: a second multiple-choice and a second
    generation task, whose prompts start with "Again. "; return the suite file."""
    tasks = suite.parent / "tasks"
    for name in ("toy_mc", "toy_gen"):
        text = (tasks / f"{name}.yaml").read_text()
        (tasks / f"{name}_b.yaml").write_text(
            text.replace(f"task: {name}", f"task: {name}_b").replace(
                'doc_to_text: "', 'doc_to_text: "Again. '
            )
        )
    listed = ", ".join(f"tasks/{t}.yaml" for t in FOUR_TASKS)
    suite.write_text(
        f"suite: toy\ntasks: [{listed}]\naggregate:\n  - metric: acc\n    group_by: group\n"
    )
    return suite


def toy_options(suite: Path, store: Path, **changes: Any) -> Any:
    """EvalOptions for the tiny model on a suite written by :func:`write_toy_suite`."""
    from harness.runner import EvalOptions

    options = EvalOptions(
        model="tiny-random-llama",
        suite=str(suite),
        data_dir=str(suite.parent.parent / "data"),
        store=store,
        progress=False,
    )
    for key, value in changes.items():
        setattr(options, key, value)
    return options
