"""BIG-Bench Hard: 27 tasks in two modes, prompts equal to lm-eval's bbh_fewshot / bbh_cot_fewshot."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from harness.tasks import Task, load_suite

LM_EVAL_BBH = Path(__import__("lm_eval").__file__).parent / "tasks" / "bbh"


def _lm_eval_prompts(yaml_path: Path, docs: list[dict[str, Any]], tmp_path: Path) -> list[str]:
    from lm_eval.api.task import ConfigurableTask
    from lm_eval.tasks._yaml_loader import load_yaml

    data = tmp_path / "docs.jsonl"
    data.write_text("".join(json.dumps(d) + "\n" for d in docs))
    config = load_yaml(yaml_path)
    config.update(
        dataset_path="json", dataset_name=None, dataset_kwargs={"data_files": {"test": str(data)}}
    )
    task = ConfigurableTask(config=config)
    return [task.fewshot_context(doc, 3) for doc in task.test_docs()]


def test_suite_has_27_tasks_in_each_mode() -> None:
    suite = load_suite("bbh")
    modes = [t.params["mode"] for t in suite.tasks]
    assert (modes.count("answer_only"), modes.count("cot")) == (27, 27)


@pytest.mark.parametrize(
    ("ours", "theirs"),
    [
        ("bbh_navigate", "fewshot/navigate.yaml"),
        ("bbh_snarks", "fewshot/snarks.yaml"),
        ("bbh_cot_sports_understanding", "cot_fewshot/sports_understanding.yaml"),
        ("bbh_cot_word_sorting", "cot_fewshot/word_sorting.yaml"),
    ],
)
def test_prompts_equal_lm_eval(
    ours: str, theirs: str, shared_data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    (config,) = load_suite("bbh").select([ours])
    items = Task(config, shared_data).build_items(3)
    expected = _lm_eval_prompts(LM_EVAL_BBH / theirs, [item.doc for item in items], tmp_path)
    assert [item.prompt for item in items] == expected


def test_cot_answers_are_extracted_and_raw_text_kept(shared_data: Path) -> None:
    from harness.backends.requests import GenerationResult

    (config,) = load_suite("bbh").select(["bbh_cot_navigate"])
    task = Task(config, shared_data)
    item = task.build_items(1)[0]
    outcome = task.outcome(item, [GenerationResult("We end at (0, 0). So the answer is Yes.", 9)])
    assert (outcome.prediction, outcome.raw_prediction) == (
        "Yes",
        "We end at (0, 0). So the answer is Yes.",
    )


def test_stored_sample_keeps_the_raw_generation_beside_the_answer(shared_data: Path) -> None:
    from harness.backends.requests import GenerationResult
    from harness.runner.scoring import score_task

    (config,) = load_suite("bbh").select(["bbh_cot_navigate"])
    task = Task(config, shared_data)
    items = task.build_items(2)
    raw = ["So the answer is No.", "I think yes"]
    results = [[GenerationResult(text, 5)] for text in raw]
    scored = score_task("run", task, items, results)
    assert [s.prediction for s in scored.samples] == ["No", "[invalid]"]
    assert [s.outputs.raw_prediction for s in scored.samples] == raw
