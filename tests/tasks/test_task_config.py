import pytest

from harness.errors import HarnessError
from harness.tasks.config import expand_task_file

BASE = {
    "task": "t_${name}",
    "dataset": {"path": "x", "splits": {"test": "${name}.jsonl"}},
    "output_type": "multiple_choice",
    "test_split": "test",
    "doc_to_text": "{{ q }}",
    "doc_to_choice": ["a", "b"],
    "doc_to_target": "{{ label }}",
    "metric_list": [{"metric": "acc"}, "acc_norm"],
}


def test_params_expand_one_task_per_entry_and_substitute_placeholders() -> None:
    tasks = expand_task_file({**BASE, "params": [{"name": "one"}, {"name": "two"}]}, where="f.yaml")
    assert [t.task for t in tasks] == ["t_one", "t_two"]
    assert tasks[1].dataset.splits == {"test": "two.jsonl"}
    assert tasks[0].params == {"name": "one"}


def test_jinja_braces_are_left_alone_by_substitution() -> None:
    (task,) = expand_task_file({**BASE, "params": [{"name": "x"}]}, where="f.yaml")
    assert task.doc_to_text == "{{ q }}"


def test_lm_eval_style_metric_entries_become_names() -> None:
    (task,) = expand_task_file({**BASE, "task": "t"}, where="f.yaml")
    assert task.metric_list == ["acc", "acc_norm"]


def test_unknown_key_names_the_key_and_lists_known_ones() -> None:
    with pytest.raises(
        HarnessError, match=r"f.yaml: task 't': unknown key 'doc_to_txt'; known keys: task"
    ):
        expand_task_file({**BASE, "task": "t", "doc_to_txt": "x"}, where="f.yaml")


def test_missing_required_key_is_named() -> None:
    raw = {k: v for k, v in BASE.items() if k != "test_split"} | {"task": "t"}
    with pytest.raises(HarnessError, match="missing required key 'test_split'"):
        expand_task_file(raw, where="f.yaml")


def test_placeholder_without_param_value_is_an_error() -> None:
    with pytest.raises(HarnessError, match=r"placeholder \$\{name\} has no value"):
        expand_task_file({**BASE, "params": [{"other": "x"}]}, where="f.yaml")


def test_content_hash_changes_with_the_prompt() -> None:
    (a,) = expand_task_file({**BASE, "task": "t"}, where="f.yaml")
    (b,) = expand_task_file({**BASE, "task": "t", "doc_to_text": "{{ q }}?"}, where="f.yaml")
    assert a.content_hash() != b.content_hash()
