from pathlib import Path

import pytest

from harness.errors import HarnessError
from harness.tasks import load_suite


def test_select_accepts_names_tags_and_globs() -> None:
    suite = load_suite("mmlu")
    assert [t.task for t in suite.select(["mmlu_anatomy"])] == ["mmlu_anatomy"]
    assert len(suite.select(["mmlu_high_school_*"])) == 14
    assert len(suite.select(["mmlu_humanities"])) == 13


def test_unknown_task_is_named() -> None:
    with pytest.raises(HarnessError, match="suite 'mmlu' has no task 'mmlu_astrology'"):
        load_suite("mmlu").select(["mmlu_astrology"])


def test_malformed_yaml_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("suite: x\ntasks: [a\n")
    with pytest.raises(HarnessError, match=r"bad.yaml:\d+: malformed YAML"):
        load_suite(str(path))


def test_a_missing_task_file_is_named(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text("suite: s\ntasks: [tasks/none.yaml]\n")
    with pytest.raises(HarnessError, match=r"task file 'tasks/none\.yaml' not found"):
        load_suite(str(path))


def test_suite_hash_covers_task_files(toy_suite: Path) -> None:
    before = load_suite(str(toy_suite)).content_hash
    task_file = toy_suite.parent / "tasks" / "toy_mc.yaml"
    task_file.write_text(task_file.read_text().replace("A:", "Answer:"))
    assert load_suite(str(toy_suite)).content_hash != before
