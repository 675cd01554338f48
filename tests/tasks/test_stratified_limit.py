"""--limit: the first N documents, or a seeded sample stratified by the task's stratify_by."""

import json
from collections import Counter
from pathlib import Path

from harness.tasks.subset import first_n, stratified_sample
from harness.tasks.task import Task

STRATA = ["a"] * 60 + ["b"] * 30 + ["c"] * 10


def test_without_stratify_limit_takes_the_first_documents() -> None:
    assert first_n(5, 3) == [0, 1, 2]
    assert first_n(2, 3) == [0, 1]


def test_each_stratum_keeps_its_share() -> None:
    chosen = stratified_sample(STRATA, 10, seed=1)
    assert Counter(STRATA[i] for i in chosen) == {"a": 6, "b": 3, "c": 1}


def test_largest_remainders_get_the_leftover_places() -> None:
    strata = ["a"] * 5 + ["b"] * 3 + ["c"] * 2
    chosen = stratified_sample(strata, 4, seed=0)
    # quotas 2.0, 1.2, 0.8: floors 2, 1, 0 and the one place left goes to c (remainder 0.8)
    assert Counter(strata[i] for i in chosen) == {"a": 2, "b": 1, "c": 1}


def test_sample_is_sorted_dataset_indices_and_repeats_for_a_seed() -> None:
    chosen = stratified_sample(STRATA, 10, seed=7)
    assert chosen == sorted(chosen) == stratified_sample(STRATA, 10, seed=7)
    assert chosen != stratified_sample(STRATA, 10, seed=8)


def test_limit_at_or_above_the_size_keeps_everything() -> None:
    assert stratified_sample(["x", "y"], 5, seed=0) == [0, 1]


def test_task_items_carry_the_dataset_index_as_doc_id(tmp_path: Path) -> None:
    from harness.tasks.config import TaskConfig

    rows = [{"q": f"q{i}", "label": i % 4 == 0} for i in range(20)]
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "test.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    config = TaskConfig.model_validate(
        {
            "task": "t",
            "dataset": {"path": "d", "splits": {"test": "test.jsonl"}},
            "output_type": "multiple_choice",
            "test_split": "test",
            "doc_to_text": "{{ q }}",
            "doc_to_choice": ["no", "yes"],
            "doc_to_target": "{{ label | int }}",
            "stratify_by": "{{ label }}",
            "metric_list": ["acc"],
        }
    )
    items = Task(config, tmp_path).build_items(8)
    assert [item.doc["q"] for item in items] == [f"q{item.doc_id}" for item in items]
    assert sum(item.gold == 1 for item in items) == 2  # 5 of 20 are True: 2 of 8
