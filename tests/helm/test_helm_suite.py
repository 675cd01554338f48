"""The packaged helm suite: its tasks, their families, and subset-independent copies."""

from __future__ import annotations

from pathlib import Path

from harness.tasks import Task, load_suite


def test_the_suite_covers_four_scenarios_with_perturbations_and_efficiency() -> None:
    suite = load_suite("helm")
    scenarios = {t.params["scenario"] for t in suite.tasks}
    assert scenarios == {"mmlu", "boolq", "dialogsum", "truthfulqa"}
    for task in suite.tasks:
        assert task.perturbations is not None and task.efficiency
        assert task.stratify_by is not None  # --limit takes a seeded, stratified subset
        families = {m.rsplit("_", 1)[-1] for m in task.metric_list}
        assert {"robustness", "fairness"} <= families
        if task.output_type == "multiple_choice":
            assert "ece_10bin" in task.metric_list
        else:
            assert {"gender_representation_tvd", "toxic_fraction"} <= set(task.metric_list)


def test_an_items_copies_do_not_depend_on_the_subset(shared_data: Path) -> None:
    config = next(t for t in load_suite("helm").tasks if t.task == "helm_boolq")
    task = Task(config, shared_data)
    small = {i.doc_id: i for i in task.build_items(4)}
    large = {i.doc_id: i for i in task.build_items(12)}
    shared = set(small) & set(large)
    assert shared
    for doc_id in shared:
        assert small[doc_id].perturbed == large[doc_id].perturbed
        copies = small[doc_id].perturbed
        assert len(copies) == 7
        # two choices, for the original and each copy the perturbation changed
        assert len(small[doc_id].requests) == 2 * (1 + sum(c.changed for c in copies))
