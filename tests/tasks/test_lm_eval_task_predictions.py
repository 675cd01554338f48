"""On lm-eval's own task files, our run predicts what lm-eval's task + HFLM predict.

Same tiny random model on both sides: lm-eval's HFLM scores (or generates for) lm-eval's
requests and lm-eval's process_results / filters judge them; our HFBackend scores our
requests and our LmEvalTask judges them. Every item's prediction and score must agree.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from lm_eval_reference import our_task, reference_requests, reference_task

from harness.backends import HFBackend
from harness.runner.scoring import score_task

N_DOCS = 3


@pytest.fixture(autouse=True)
def _offline(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")


@pytest.fixture(scope="module")
def engines(tiny_model):  # type: ignore[no-untyped-def]
    from lm_eval.models.huggingface import HFLM

    reference = HFLM(
        pretrained=tiny_model.model, tokenizer=tiny_model.tokenizer, batch_size=4, device="cpu"
    )
    return HFBackend(tiny_model, batch_size=4), reference


def _instances(reference_task, shots: int):  # type: ignore[no-untyped-def]
    out = []
    for doc_id, doc in zip(range(N_DOCS), reference_task.eval_docs, strict=False):
        made = reference_task.construct_requests(
            doc, reference_task.fewshot_context(doc, shots), metadata=("t", doc_id, 1)
        )
        out.append((doc, made if isinstance(made, list) else [made]))
    return out


@pytest.mark.parametrize(("name", "shots"), [("copa", 1), ("cb", 0), ("mmlu_anatomy", 2)])
def test_multiple_choice_scores_equal_lm_eval(
    name: str,
    shots: int,
    engines,
    shared_data: Path,
    tmp_path: Path,  # type: ignore[no-untyped-def]
) -> None:
    backend, hflm = engines
    task = our_task(name, shared_data, shots=shots)
    items = task.build_items(N_DOCS)
    reference = reference_task(task, shared_data, tmp_path, shots=shots)
    results = [backend.loglikelihood(list(i.requests)) for i in items]  # type: ignore[arg-type]
    scores = score_task("run", task, items, results)
    for i, (doc, instances) in enumerate(_instances(reference, shots)):
        answers = hflm.loglikelihood(instances, disable_tqdm=True)
        theirs = reference.process_results(doc, answers)
        assert [r.logprob for r in results[i]] == pytest.approx([a for a, _ in answers], abs=1e-4)
        assert scores.item_values["acc"][i] == theirs["acc"]


def test_generation_with_regex_filter_equals_lm_eval(
    engines,
    shared_data: Path,
    tmp_path: Path,  # type: ignore[no-untyped-def]
) -> None:
    backend, hflm = engines
    name, shots, tokens = "bbh_cot_fewshot_boolean_expressions", 1, 12
    task = our_task(name, shared_data, shots=shots, generation_overrides={"max_new_tokens": tokens})
    items = task.build_items(N_DOCS)
    gen = dict(task.raw["generation_kwargs"], max_gen_toks=tokens)
    reference = reference_task(
        task, shared_data, tmp_path, shots=shots, overrides={"generation_kwargs": gen}
    )
    assert [[(i.prompt,)] for i in items] == [
        [(a[0][0],)] for a in reference_requests(reference, N_DOCS, shots)
    ]
    results = backend.generate([r for i in items for r in i.requests])  # type: ignore[arg-type]
    scores = score_task("run", task, items, [[r] for r in results])
    instances = [inst for _, made in _instances(reference, shots) for inst in made]
    texts = hflm.generate_until(instances, disable_tqdm=True)
    for inst, text in zip(instances, texts, strict=True):
        inst.resps.append(text)
    reference._instances = instances
    reference.apply_filters()
    for i, inst in enumerate(instances):
        assert results[i].text == texts[i]
        answer = inst.filtered_resps["get-answer"]
        assert scores.samples[i].prediction == answer
        expected = reference.process_results(inst.doc, [answer])["exact_match"]
        assert scores.item_values["exact_match,get-answer"][i] == expected


TWO_FILTERS = "bbh_zeroshot_boolean_expressions"  # strict-match and flexible-extract


def test_two_filter_pipelines_report_as_lm_eval_does_on_the_same_model(
    engines,
    shared_data: Path,
    tmp_path: Path,  # type: ignore[no-untyped-def]
) -> None:
    """lm-eval's own run (simple_evaluate) and ours report the same metric,filter keys and
    values, and every item's answer from each pipeline is lm-eval's."""
    from lm_eval import simple_evaluate

    backend, hflm = engines
    tokens = 12
    task = our_task(TWO_FILTERS, shared_data, generation_overrides={"max_new_tokens": tokens})
    items = task.build_items(N_DOCS)
    gen = dict(task.raw["generation_kwargs"], max_gen_toks=tokens)
    reference = reference_task(
        task, shared_data, tmp_path, shots=0, overrides={"generation_kwargs": gen}
    )
    theirs = simple_evaluate(
        model=hflm, tasks=[reference], limit=N_DOCS, log_samples=True, bootstrap_iters=0
    )
    assert theirs is not None
    results = backend.generate([r for i in items for r in i.requests])  # type: ignore[arg-type]
    scores = score_task("run", task, items, [[r] for r in results])
    reported = {
        k: v for k, v in theirs["results"][TWO_FILTERS].items() if "," in k and "_stderr" not in k
    }
    assert set(reported) == {"exact_match,strict-match", "exact_match,flexible-extract"}
    assert {r.name: r.value for r in scores.results} == reported
    logged = {(s["doc_id"], s["filter"]): s for s in theirs["samples"][TWO_FILTERS]}
    for i, sample in enumerate(scores.samples):
        for name in ("strict-match", "flexible-extract"):
            their_answer = logged[(i, name)]["filtered_resps"][0]
            assert scores.item_values[f"exact_match,{name}"][i] == logged[(i, name)]["exact_match"]
            if name == "strict-match":
                assert sample.prediction == their_answer  # the first pipeline's answer


def test_two_filter_pipelines_judge_one_text_as_lm_eval_does(
    shared_data: Path,
    tmp_path: Path,
) -> None:
    """A generation where the pipelines disagree: strict-match keeps the whole text (wrong),
    flexible-extract finds the answer (right), in lm-eval's filters and in ours."""
    from harness.backends.requests import GenerationResult

    task = our_task(TWO_FILTERS, shared_data)
    (item,) = task.build_items(1)
    reference = reference_task(task, shared_data, tmp_path, shots=0)
    doc = next(iter(reference.eval_docs))
    text = f"Let me think. It is {doc['target']}."
    made = reference.construct_requests(
        doc, reference.fewshot_context(doc, 0), metadata=("t", 0, 1)
    )
    instances = made if isinstance(made, list) else [made]
    for inst in instances:
        inst.resps.append(text)
    reference._instances = instances
    reference.apply_filters()
    outcome = task.outcome(item, [GenerationResult(text=text, n_tokens=8)])
    for name in ("strict-match", "flexible-extract"):
        answer = instances[0].filtered_resps[name]
        expected = reference.process_results(doc, [answer])["exact_match"]
        metric = next(m for m in task.metrics if m.name == f"exact_match,{name}")
        assert outcome.filtered[name] == answer
        assert metric.item_value(outcome) == expected
    assert [m.item_value(outcome) for m in task.metrics] == [0.0, 1.0]
