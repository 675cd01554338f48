"""lm-eval's own task files, read unchanged, give lm-eval's exact requests and predictions.

Each case is a task of the installed lm-eval, found by name, its data read through the data
map (suites/lm_eval_data.yaml) from ../shared/data. The reference is lm-eval's
ConfigurableTask built from the same YAML (lm-eval's loader) over the same rows.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from lm_eval_reference import our_task, reference_requests, reference_task

from harness.errors import HarnessError
from harness.tasks.lm_eval_index import select_lm_eval_tasks

N_DOCS = 4

# lm-eval task name -> few-shot count to test (random draws, first_n, fixed samples)
CASES = {
    "boolq": 2,
    "copa": 1,
    "cb": 0,
    "sglue_rte": 1,
    "wic": 0,
    "sst2": 2,
    "mrpc": 0,
    "cola": 3,
    "wnli": 1,
    "rte": 0,
    "mmlu_anatomy": 5,
    "mmlu_high_school_physics": 0,
    "bbh_fewshot_date_understanding": 3,
    "bbh_cot_fewshot_boolean_expressions": 3,  # generate_until with a regex filter
}


def _ours(item) -> list[tuple[object, ...]]:  # type: ignore[no-untyped-def]
    return [
        (r.context, r.continuation) if hasattr(r, "continuation") else (r.prompt, r.config)
        for r in item.requests
    ]


@pytest.mark.parametrize("name", sorted(CASES))
def test_requests_equal_lm_eval(
    name: str, shared_data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    shots = CASES[name]
    task = our_task(name, shared_data, shots=shots)
    items = task.build_items(N_DOCS)
    reference = reference_task(task, shared_data, tmp_path, shots=shots)
    expected = reference_requests(reference, N_DOCS, shots)
    assert len(items) == len(expected) == N_DOCS
    for item, theirs, doc in zip(items, expected, reference.eval_docs, strict=False):
        ours = _ours(item)
        if task.output_type == "multiple_choice":
            assert ours == [tuple(a) for a in theirs]
            target = reference.doc_to_target(doc)
            if isinstance(target, str):
                target = reference.doc_to_choice(doc).index(target)
            assert item.gold == target
        else:
            ((prompt, config),) = ours
            ((context, kwargs),) = theirs
            assert prompt == context
            assert list(config.stop) == kwargs["until"]
            assert config.max_new_tokens == kwargs.get("max_gen_toks", 256)  # HFLM default
            assert config.do_sample is bool(kwargs.get("do_sample"))


def test_regex_filter_answers_equal_lm_eval_filters(shared_data: Path) -> None:
    """Our answer extraction is lm-eval's filter pipeline on the same text."""
    task = our_task("bbh_cot_fewshot_boolean_expressions", shared_data, shots=0)
    doc = task.docs[0]
    for text in ["so the answer is True.", "Let me see. So the answer is False. Q", "nothing"]:
        from lm_eval.filters.extraction import RegexFilter
        from lm_eval.filters.selection import TakeFirstFilter

        expected = TakeFirstFilter().apply(
            RegexFilter(regex_pattern="(?<=the answer is )(.*)(?=.)").apply([[text]], [doc]),
            [doc],
        )
        assert task.filter_answer([text], doc) == next(iter(expected))


def test_two_filter_pipelines_name_each_metric_as_lm_eval_reports_it(shared_data: Path) -> None:
    task = our_task("bbh_zeroshot_sports_understanding", shared_data)
    assert [name for name, _ in task.pipelines] == ["strict-match", "flexible-extract"]
    assert [m.name for m in task.metrics] == [
        "exact_match,strict-match",
        "exact_match,flexible-extract",
    ]


def test_a_group_aggregates_the_metric_of_the_filter_pipeline_it_names(
    shared_data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from harness.tasks.lm_eval_suite import load_lm_eval_suite

    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    suite, tasks = load_lm_eval_suite(["bbh_zeroshot"], data_root=shared_data)
    assert len(tasks) == 27
    assert [(a.name, a.metric) for a in suite.config.aggregate] == [
        ("bbh_zeroshot", "exact_match,flexible-extract")
    ]


def test_group_expands_to_its_tasks_with_its_aggregates() -> None:
    selection = select_lm_eval_tasks(["mmlu"])
    assert len(selection.tasks) == 57
    by_name = {g.name: g for g in selection.groups}
    assert set(by_name) == {
        "mmlu",
        "mmlu_stem",
        "mmlu_other",
        "mmlu_social_sciences",
        "mmlu_humanities",
    }
    assert len(by_name["mmlu"].tasks) == 57
    assert by_name["mmlu"].aggregates == ({"metric": "acc", "weight_by_size": True},)


def test_unknown_task_name_is_one_line_with_a_suggestion() -> None:
    with pytest.raises(HarnessError, match="no task, group or tag named 'boolqq'"):
        select_lm_eval_tasks(["boolqq"])


def test_unsupported_key_is_refused_by_name(shared_data: Path, tmp_path: Path) -> None:
    (tmp_path / "mine.yaml").write_text(
        "task: my_boolq\ndataset_path: aps/super_glue\ndataset_name: boolq\n"
        "output_type: multiple_choice\nvalidation_split: validation\n"
        "doc_to_text: '{{question}}'\ndoc_to_target: label\ndoc_to_choice: ['no', 'yes']\n"
        "doc_to_image: image\n"
    )
    with pytest.raises(HarnessError, match="lm-eval key 'doc_to_image' is not supported"):
        (source,) = select_lm_eval_tasks(["my_boolq"], [tmp_path], defaults=False).tasks
        from harness.tasks.lm_eval_data import load_data_map
        from harness.tasks.lm_eval_task import LmEvalTask

        LmEvalTask(source, shared_data, load_data_map())


def test_user_task_with_include_function_and_local_data_files(tmp_path: Path) -> None:
    """A private task folder: include, !function from its own .py, data_files on disk."""
    data = tmp_path / "rows.jsonl"
    data.write_text('{"q": "one", "a": 1}\n{"q": "two", "a": 0}\n')
    (tmp_path / "utils.py").write_text("def text(doc):\n    return 'Q: ' + doc['q'].upper()\n")
    (tmp_path / "_base_yaml").write_text(
        "output_type: multiple_choice\ndoc_to_choice: ['x', 'y']\ntest_split: train\n"
        "doc_to_text: !function utils.text\n"
    )
    (tmp_path / "mine.yaml").write_text(
        f"include: _base_yaml\ntask: mine\ndataset_path: json\n"
        f"dataset_kwargs: {{data_files: {{train: {data}}}}}\ndoc_to_target: a\n"
    )
    from harness.tasks.lm_eval_data import load_data_map
    from harness.tasks.lm_eval_task import LmEvalTask

    (source,) = select_lm_eval_tasks(["mine"], [tmp_path], defaults=False).tasks
    items = LmEvalTask(source, None, load_data_map()).build_items(None)
    assert [(r.context, r.continuation) for r in items[0].requests] == [  # type: ignore[union-attr]
        ("Q: ONE", " x"),
        ("Q: ONE", " y"),
    ]
    assert [i.gold for i in items] == [1, 0]
