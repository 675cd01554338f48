"""HELM-lite end to end on a tiny random model: perturbed copies run, are stored with each
sample, and give worst-case, calibration, bias and efficiency scores."""

from __future__ import annotations

import random
import textwrap
from pathlib import Path

import pytest
from toy_suite import write_jsonl

from harness.errors import HarnessError
from harness.runner import EvalOptions, run_eval
from harness.store import open_store
from harness.tasks.config import expand_task_file
from harness.tasks.perturbations import PERTURBATIONS
from harness.tasks.perturbed import perturbation_seed

PERTURBATIONS_YAML = """\
perturbations:
  fields: [text]
  robustness: [lowercase, contractions, typos, extra_spaces]
  fairness: [pronoun_swap, name_swap, dialect]
  seed: 7
efficiency: true
"""


def _write_suite(root: Path) -> Path:
    data = root / "data" / "helmtoy"
    write_jsonl(
        data / "mc.jsonl",
        [
            {"text": "He said John is not tall. Is John tall", "label": 0},
            {"text": "She said it is cold. Is it cold", "label": 1},
            {"text": "His brother is with Mary. Is he alone", "label": 0},
        ],
    )
    write_jsonl(
        data / "gen.jsonl",
        [{"text": "He told his sister", "answer": "hi"}, {"text": "It is late", "answer": "ok"}],
    )
    tasks = root / "suites" / "tasks"
    tasks.mkdir(parents=True)
    (tasks / "mc.yaml").write_text(
        textwrap.dedent("""\
        task: helmtoy_mc
        dataset: {path: helmtoy, format: jsonl, splits: {test: mc.jsonl}}
        output_type: multiple_choice
        test_split: test
        doc_to_text: "{{ text }}?\\nAnswer:"
        doc_to_choice: ["no", "yes"]
        doc_to_target: "{{ label }}"
        metric_list: [acc, ece_10bin, selective_acc@10, acc_robustness, acc_fairness]
        """)
        + PERTURBATIONS_YAML
    )
    (tasks / "gen.yaml").write_text(
        textwrap.dedent("""\
        task: helmtoy_gen
        dataset: {path: helmtoy, format: jsonl, splits: {test: gen.jsonl}}
        output_type: generate_until
        test_split: test
        doc_to_text: "{{ text }}:"
        doc_to_target: "{{ answer }}"
        generation_kwargs: {max_new_tokens: 3}
        metric_list: [rouge1, rouge1_robustness, rouge1_fairness, gender_representation_tvd]
        """)
        + PERTURBATIONS_YAML
    )
    suite = root / "suites" / "helmtoy.yaml"
    suite.write_text("suite: helmtoy\ntasks: [tasks/mc.yaml, tasks/gen.yaml]\n")
    return suite


@pytest.fixture(scope="module")
def helm_run(tmp_path_factory: pytest.TempPathFactory, tiny_model):  # type: ignore[no-untyped-def]
    root = tmp_path_factory.mktemp("helmtoy")
    suite = _write_suite(root)
    options = EvalOptions(
        model="tiny-random-llama",
        suite=str(suite),
        data_dir=str(root / "data"),
        store=root / "s.db",
        progress=False,
    )
    report = run_eval(options, model=tiny_model, log=lambda _line: None)
    with open_store(report.store_location) as store:
        records = store.get_scores(report.run_id)
        scores = {(s.name, s.metric): s for s in records if s.scope == "task"}
        samples = {
            task: store.get_samples(report.run_id, task) for task in ("helmtoy_mc", "helmtoy_gen")
        }
    return scores, samples, records


def test_every_family_is_scored_per_task(helm_run) -> None:  # type: ignore[no-untyped-def]
    scores, samples, _ = helm_run
    mc_samples = samples["helmtoy_mc"]
    for metric in ("acc", "ece_10bin", "selective_acc@10", "acc_robustness", "acc_fairness"):
        assert ("helmtoy_mc", metric) in scores
    for metric in ("rouge1_robustness", "rouge1_fairness", "gender_representation_tvd"):
        assert ("helmtoy_gen", metric) in scores
    for task in ("helmtoy_mc", "helmtoy_gen"):
        assert scores[(task, "eff_s_per_request")].value > 0
        assert scores[(task, "eff_tokens_in")].value > 0
        assert scores[(task, "eff_tokens_per_s")].value > 0
        assert scores[(task, "eff_peak_rss_mib")].value > 0
    # 2 choices x (the original + each copy the perturbation changed), over the items
    sent = sum(2 * (1 + sum(c["changed"] for c in s.outputs.perturbations)) for s in mc_samples)
    assert scores[("helmtoy_mc", "eff_s_per_request")].extra["requests"] == str(sent)
    assert scores[("helmtoy_mc", "eff_tokens_out")].value == 1.0  # " no" / " yes": one token
    assert scores[("helmtoy_gen", "eff_tokens_out")].value <= 3.0


def test_worst_case_scores_never_beat_the_original(helm_run) -> None:  # type: ignore[no-untyped-def]
    scores, _, _ = helm_run
    for task, metric in (("helmtoy_mc", "acc"), ("helmtoy_gen", "rouge1")):
        for family in ("robustness", "fairness"):
            assert scores[(task, f"{metric}_{family}")].value <= scores[(task, metric)].value


def test_each_sample_stores_its_copies_and_their_worst_case(helm_run) -> None:  # type: ignore[no-untyped-def]
    _, samples, _ = helm_run
    for sample in samples["helmtoy_mc"]:
        copies = sample.outputs.perturbations
        assert [c["perturbation"] for c in copies] == list(PERTURBATIONS)
        assert len(sample.outputs.logprobs) == 2  # the original's own results only
        for family in ("robustness", "fairness"):
            values = [sample.metrics["acc"]] + [
                c["metrics"]["acc"] for c in copies if c["family"] == family
            ]
            assert sample.metrics[f"acc_{family}"] == min(values)


def test_stored_perturbed_text_is_the_seeded_perturbation_of_the_document(helm_run) -> None:  # type: ignore[no-untyped-def]
    _, samples, _ = helm_run
    sample = samples["helmtoy_mc"][0]
    text = "He said John is not tall. Is John tall"
    for copy in sample.outputs.perturbations:
        seed = perturbation_seed(7, sample.doc_hash, copy["perturbation"])
        assert copy["seed"] == seed
        _, perturb = PERTURBATIONS[copy["perturbation"]]
        assert copy["fields"] == {"text": perturb(text, random.Random(seed))}
    by_name = {c["perturbation"]: c["fields"]["text"] for c in sample.outputs.perturbations}
    assert by_name["pronoun_swap"] == "She said John is not tall. Is John tall"
    assert by_name["name_swap"] == "He said Darnell is not tall. Is Darnell tall"
    assert by_name["contractions"] == "He said John isn't tall. Is John tall"


def test_a_copy_the_perturbation_left_unchanged_reuses_the_original_results(helm_run) -> None:  # type: ignore[no-untyped-def]
    _, samples, _ = helm_run
    sample = samples["helmtoy_mc"][0]  # no dialect word in it
    dialect = next(c for c in sample.outputs.perturbations if c["perturbation"] == "dialect")
    assert dialect["changed"] is False
    assert dialect["fields"] == {"text": "He said John is not tall. Is John tall"}
    assert dialect["logprobs"] == sample.outputs.logprobs
    lowercase = sample.outputs.perturbations[0]
    assert lowercase["changed"] is True and lowercase["logprobs"] != sample.outputs.logprobs


def test_an_unknown_perturbation_is_an_error_that_lists_the_known_ones() -> None:
    raw = {
        "task": "t",
        "dataset": {"path": "x", "splits": {"test": "t.jsonl"}},
        "output_type": "multiple_choice",
        "test_split": "test",
        "doc_to_text": "{{ q }}",
        "metric_list": ["acc"],
        "perturbations": {"fields": ["q"], "robustness": ["shout"]},
    }
    with pytest.raises(HarnessError, match="unknown robustness perturbation 'shout'; known: "):
        expand_task_file(raw, where="t.yaml")
    raw["perturbations"] = {"fields": ["q"], "fairness": ["typos"]}
    with pytest.raises(HarnessError, match="unknown fairness perturbation 'typos'"):
        expand_task_file(raw, where="t.yaml")


def test_a_perturbed_field_the_document_lacks_is_an_error_naming_the_fields() -> None:
    from harness.tasks.perturbed import perturb_doc

    with pytest.raises(HarnessError, match=r"'question', which is missing .* doc has: q"):
        perturb_doc({"q": "x"}, ["question"], "typos", 1, task="t")
    with pytest.raises(HarnessError, match="not text in"):
        perturb_doc({"q": 3}, ["q"], "typos", 1, task="t")


def test_the_family_table_has_a_row_per_task_with_its_accuracy_metric(helm_run) -> None:  # type: ignore[no-untyped-def]
    from harness.helm.report import HEADER, family_rows
    from harness.report.run_tables import format_helm_families

    scores, _, records = helm_run
    rows = {r.cells[0]: dict(zip(HEADER, r.cells, strict=True)) for r in family_rows(records)}
    assert set(rows) == {"helmtoy_mc", "helmtoy_gen"}
    assert rows["helmtoy_mc"]["metric"] == "acc" and rows["helmtoy_gen"]["metric"] == "rouge1"
    assert rows["helmtoy_mc"]["n"] == "3"
    assert rows["helmtoy_mc"]["ECE"] == f"{scores[('helmtoy_mc', 'ece_10bin')].value:.3f}"
    assert rows["helmtoy_gen"]["ECE"] == ""  # no calibration for generation
    assert format_helm_families(records).splitlines()[0].startswith("task")
