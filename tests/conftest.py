"""Shared fixtures: the repository's data root, a tiny model, and small suites written on the fly."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """../shared/data beside the repository; tests that read real data skip without it."""
    if not SHARED_DATA.is_dir():
        pytest.skip("../shared/data is not present")
    return SHARED_DATA


@pytest.fixture(scope="session")
def tiny_model():  # type: ignore[no-untyped-def]
    from harness.models import load_model

    return load_model("tiny-random-llama")


def write_jsonl(path: Path, rows: list[dict[str, object]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


@pytest.fixture()
def toy_suite(tmp_path: Path) -> Path:
    """A two-task suite over tiny JSONL files: one multiple choice, one generation."""
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
