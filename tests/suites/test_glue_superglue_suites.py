"""GLUE and SuperGLUE task building on the real data: splits, golds, groups, missing data."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from harness.errors import HarnessError
from harness.tasks import Task, load_suite


def _task(suite: str, name: str, data: Path, shots: int | None = None) -> Task:
    (config,) = load_suite(suite).select([name])
    return Task(config, data, num_fewshot=shots)


def test_glue_has_its_seven_tasks_with_data_here() -> None:
    names = [t.task for t in load_suite("glue").tasks]
    assert names == [f"glue_{n}" for n in ("cola", "sst2", "mrpc", "qnli", "rte", "stsb", "wnli")]


def test_dev_sets_have_their_published_sizes(shared_data: Path) -> None:
    sizes = {t.task: len(Task(t, shared_data).docs) for t in load_suite("glue").tasks}
    assert sizes == {
        "glue_cola": 1043,
        "glue_sst2": 872,
        "glue_mrpc": 408,
        "glue_qnli": 5463,
        "glue_rte": 277,
        "glue_stsb": 1500,
        "glue_wnli": 71,
    }


def test_limit_ten_on_cola_keeps_its_label_balance(shared_data: Path) -> None:
    task = _task("glue", "glue_cola", shared_data)
    labels = Counter(item.gold for item in task.build_items(10))
    assert labels == {1: 7, 0: 3}  # 721 acceptable, 322 not, of 1043


def test_stsb_scores_numbers_with_the_gold_float(shared_data: Path) -> None:
    item = _task("glue", "glue_stsb", shared_data).build_items(None)[0]
    assert item.choices == (" 0", " 1", " 2", " 3", " 4", " 5")
    assert (item.gold_value, item.gold) == (5.0, 5)


def test_mrpc_reads_past_its_bom_and_header(shared_data: Path) -> None:
    item = _task("glue", "glue_mrpc", shared_data).build_items(None)[0]
    assert item.prompt.startswith("Sentence 1: He said the foodservice pie business doesn 't fit")
    assert item.gold == 1


def test_few_shot_exemplars_come_from_train(shared_data: Path) -> None:
    task = _task("glue", "glue_rte", shared_data, shots=2)
    item = task.build_items(1)[0]
    assert item.prompt.count("\nAnswer:") == 3
    assert len(task.fewshot_docs) == 2490


def test_multirc_gives_one_item_per_answer_grouped_by_question(shared_data: Path) -> None:
    task = _task("superglue", "sglue_multirc", shared_data)
    assert len(task.docs) == 4848
    groups = {item.group for item in task.build_items(None)}
    assert len(groups) == 953


def test_axg_pairs_the_two_genders_of_each_premise(shared_data: Path) -> None:
    items = _task("superglue", "sglue_axg", shared_data).build_items(4)
    assert [item.group for item in items] == ["0", "0", "1", "1"]
    assert " his " in items[0].prompt and " her " in items[1].prompt


def test_missing_glue_data_says_data_not_found_and_the_fix(
    shared_data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import datasets

    def offline(*args: object, **kwargs: object) -> None:
        raise ConnectionError("no network")

    monkeypatch.setattr(datasets, "load_dataset", offline)
    (config,) = load_suite("glue_extra").select(["glue_mnli"])
    with pytest.raises(HarnessError, match=r"data not found .*dev_matched.tsv.*--data-dir"):
        Task(config, shared_data)


def test_record_without_validation_data_says_data_not_found(
    shared_data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import datasets

    def offline(*args: object, **kwargs: object) -> None:
        raise ConnectionError("no network")

    monkeypatch.setattr(datasets, "load_dataset", offline)
    (config,) = load_suite("superglue_extra").select(["sglue_record"])
    with pytest.raises(HarnessError, match=r"task 'sglue_record': data not found"):
        Task(config, shared_data)
