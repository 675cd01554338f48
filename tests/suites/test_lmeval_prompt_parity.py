"""Our GLUE and SuperGLUE tasks send lm-eval's exact requests (context and continuations).

lm-eval builds each task from its own YAML over the same documents, rewritten in the Hub's
layout and read from a local JSON file (no Hub). Equal (context, continuation) pairs, with
the backend's loglikelihood parity against lm-eval's HFLM, mean equal predictions for the
same model (test_lmeval_prediction_parity checks that directly on a few tasks).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from lmeval_reference import CASES, lm_eval_task

from harness.tasks import Task, load_suite

N_DOCS = 4


@pytest.mark.parametrize("name", sorted(CASES))
def test_requests_equal_lm_eval(
    name: str, shared_data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    suite, yaml_name, to_hub = CASES[name]
    (config,) = load_suite(suite).select([name])
    task = Task(config, shared_data)
    items = task.build_items(N_DOCS)
    reference = lm_eval_task(yaml_name, [to_hub(item.doc) for item in items], tmp_path)
    for item, doc in zip(items, reference.validation_docs(), strict=True):
        context = reference.fewshot_context(doc, 0)
        expected = [r.arguments for r in reference.construct_requests(doc, context)]
        ours = [(r.context, r.continuation) for r in item.requests]  # type: ignore[union-attr]
        assert ours == expected
        target = reference.doc_to_target(doc)
        if isinstance(target, str):  # COPA names the gold choice instead of its index
            target = reference.doc_to_choice(doc).index(target)
        assert item.gold == target
