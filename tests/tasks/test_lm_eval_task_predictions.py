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
        assert scores.item_values["exact_match"][i] == expected
