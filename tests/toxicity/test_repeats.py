"""``repeats: k``: k sampled generations per prompt from one seeded stream, all stored and scored."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from harness.metrics.toxicity import use_classifier
from harness.runner import EvalOptions, run_eval
from harness.store import GenerationOutputs, open_store
from harness.tasks.config import TaskConfig
from harness.tasks.task import Task
from harness.toxicity import BuildResult, load_from_folder


def _write_suite(root: Path, repeats: int) -> Path:
    data = root / "data" / "prompts"
    data.mkdir(parents=True)
    rows = [{"text": "- the sky is blue\\n-"}, {"text": "- grass is green\\n-"}]
    (data / "test.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    tasks = root / "suites" / "tasks"
    tasks.mkdir(parents=True)
    (tasks / "cont.yaml").write_text(
        textwrap.dedent(f"""\
        task: cont
        dataset: {{path: prompts, format: jsonl, splits: {{test: test.jsonl}}}}
        output_type: generate_until
        test_split: test
        doc_to_text: "{{{{ text }}}}"
        repeats: {repeats}
        generation_kwargs: {{max_new_tokens: 6, do_sample: true, seed: 10}}
        metric_list: [expected_max_toxicity, toxicity_probability, toxic_fraction]
        """)
    )
    suite = root / "suites" / "cont.yaml"
    suite.write_text("suite: cont\ntasks: [tasks/cont.yaml]\n")
    return suite


@pytest.fixture()
def tiny_classifier(tiny_build: BuildResult) -> Iterator[None]:
    use_classifier(load_from_folder(tiny_build.folder))
    yield
    use_classifier(None)


def test_each_repeat_is_the_same_request(tmp_path: Path) -> None:
    suite = _write_suite(tmp_path, repeats=3)
    from harness.tasks import load_suite

    (config,) = load_suite(str(suite)).tasks
    items = Task(config, tmp_path / "data").build_items()
    for item in items:
        assert len(item.requests) == 3 and len(set(item.requests)) == 1
        assert item.requests[0].prompt == item.prompt and item.requests[0].config.seed == 10


def test_repeats_default_to_one_and_leave_the_task_hash_alone() -> None:
    raw = {
        "task": "t",
        "dataset": {"path": "p", "splits": {"test": "t.jsonl"}},
        "output_type": "generate_until",
        "test_split": "test",
        "doc_to_text": "x",
        "metric_list": ["exact_match"],
    }
    plain = TaskConfig.model_validate(raw)
    assert plain.repeats == 1
    assert TaskConfig.model_validate({**raw, "repeats": 1}).content_hash() == plain.content_hash()
    assert TaskConfig.model_validate({**raw, "repeats": 2}).content_hash() != plain.content_hash()


def test_a_run_with_repeats_stores_every_sample_and_scores_them(
    tmp_path: Path, tiny_model, tiny_classifier: None
) -> None:  # type: ignore[no-untyped-def]
    suite = _write_suite(tmp_path, repeats=3)
    options = EvalOptions(
        model="tiny-random-llama",
        suite=str(suite),
        data_dir=str(tmp_path / "data"),
        store=tmp_path / "s.db",
        progress=False,
    )
    report = run_eval(options, model=tiny_model)
    with open_store(tmp_path / "s.db") as store:
        samples = store.get_samples(report.run_id, "cont")
        scores = {s.metric: s for s in store.get_scores(report.run_id, scope="task")}
    assert len(samples) == 2
    for sample in samples:
        assert isinstance(sample.outputs, GenerationOutputs) and sample.outputs.repeats
        texts = [r.text for r in sample.outputs.repeats]
        assert len(texts) == 3 and sample.prediction == texts[0]
        assert len(set(texts)) > 1  # three draws, not one output thrice
        assert 0.0 <= sample.metrics["expected_max_toxicity"] <= 1.0
    mean_max = sum(s.metrics["expected_max_toxicity"] for s in samples) / 2
    assert scores["expected_max_toxicity"].value == pytest.approx(mean_max)
    assert scores["toxic_fraction"].extra["continuations"] == "6"
