"""Stored runs of the toy suite by two tiny random models, for the gate tests."""

from __future__ import annotations

import json
import textwrap
from dataclasses import dataclass
from pathlib import Path

from harness.runner import EvalOptions, run_eval


@dataclass(frozen=True)
class GateStore:
    path: Path
    first: str  # tiny-random-llama, both tasks
    second: str  # tiny-random-llama:seed=1, both tasks
    mc_only: str  # tiny-random-llama, toy_mc only
    gen_only: str  # tiny-random-llama, toy_gen only


def run_toy(suite: Path, store: Path, model, **changes) -> str:  # type: ignore[no-untyped-def]
    options = EvalOptions(
        model=model.spec,
        suite=str(suite),
        data_dir=str(suite.parent.parent / "data"),
        store=store,
        progress=False,
        **changes,
    )
    return run_eval(options, model=model, log=lambda _line: None).run_id


def write_jsonl(path: Path, rows: list[dict[str, object]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def write_toy_suite(tmp_path: Path) -> Path:
    """The same two-task suite as the ``toy_suite`` fixture, written where a module-scoped
    fixture wants it (that fixture is per test)."""
    data = tmp_path / "data"
    write_jsonl(
        data / "toy" / "test.jsonl",
        [
            {"q": "The sky is", "options": ["blue", "green"], "label": 0},
            {"q": "Grass is", "options": ["blue", "green"], "label": 1},
            {"q": "Snow is", "options": ["white", "black"], "label": 0},
        ],
    )
    write_jsonl(
        data / "toy" / "train.jsonl",
        [
            {"q": "Coal is", "options": ["white", "black"], "label": 1},
            {"q": "Milk is", "options": ["white", "red"], "label": 0},
        ],
    )
    write_jsonl(
        data / "toy" / "gen.jsonl",
        [
            {"text": "Say hello", "answer": "hello"},
            {"text": "Say bye", "answer": "bye"},
        ],
    )
    suites = tmp_path / "suites"
    (suites / "tasks").mkdir(parents=True)
    (suites / "tasks" / "toy_mc.yaml").write_text(
        textwrap.dedent("""\
        task: toy_mc
        dataset: {path: toy, format: jsonl, splits: {test: test.jsonl, train: train.jsonl}}
        output_type: multiple_choice
        test_split: test
        fewshot_split: train
        doc_to_text: "Q: {{ q }}\\nA:"
        doc_to_choice: "{{ options }}"
        doc_to_target: "{{ label }}"
        metric_list: [acc, acc_norm]
        params:
          - {group: a}
        """)
    )
    (suites / "tasks" / "toy_gen.yaml").write_text(
        textwrap.dedent("""\
        task: toy_gen
        dataset: {path: toy, format: jsonl, splits: {test: gen.jsonl}}
        output_type: generate_until
        test_split: test
        fewshot_split: test
        doc_to_text: "{{ text }}:"
        doc_to_target: "{{ answer }}"
        generation_kwargs: {max_new_tokens: 4, stop: ["\\n"]}
        metric_list: [exact_match, rouge1, bleu]
        params:
          - {group: b}
        """)
    )
    (suites / "toy.yaml").write_text(
        textwrap.dedent("""\
        suite: toy
        tasks: [tasks/toy_mc.yaml, tasks/toy_gen.yaml]
        aggregate:
          - metric: acc
            group_by: group
        """)
    )
    return suites / "toy.yaml"
