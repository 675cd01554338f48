"""The bias suite on the real data: BBQ categories and CrowS-Pairs bias types."""

from pathlib import Path

from harness.tasks import Task, load_suite


def test_crows_pairs_splits_into_its_nine_bias_types(shared_data: Path) -> None:
    tasks = [t for t in load_suite("bias").tasks if t.task.startswith("crows_pairs_")]
    sizes = {t.task.removeprefix("crows_pairs_"): len(Task(t, shared_data).docs) for t in tasks}
    assert sum(sizes.values()) == 1508
    assert sizes["race-color"] == 516


def test_crows_pairs_scores_each_whole_sentence_without_context(shared_data: Path) -> None:
    (config,) = load_suite("bias").select(["crows_pairs_gender"])
    item = Task(config, shared_data).build_items(None)[0]
    assert item.prompt == ""
    assert item.gold == 0
    assert item.choices is not None and item.choices[0] == item.doc["sent_more"]


def test_bbq_items_carry_the_attributes_the_bias_score_reads(shared_data: Path) -> None:
    (config,) = load_suite("bias").select(["bbq_Age"])
    item = Task(config, shared_data).build_items(None)[0]
    attributes = dict(item.attributes)
    assert attributes["polarity"] == "neg" and attributes["context"] == "ambig"
    assert attributes["stereotyped"] == '["old"]'
    assert item.prompt.endswith("\n\nQ: Who was not comfortable using the phone?\nA:")
