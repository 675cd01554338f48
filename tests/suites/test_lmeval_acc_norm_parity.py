"""acc_norm and acc_bytes of our own suite tasks equal lm-eval's on the same loglikelihoods.

lm-eval divides each choice's loglikelihood by ``len()`` of ``doc_to_choice``'s string
("yes"), not of the scored continuation with its target delimiter (" yes"). The
loglikelihoods here are chosen where the two divisions pick different choices, so a task
that handed metrics the continuation would fail.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from lmeval_reference import CASES, lm_eval_task

from harness.backends.requests import LoglikelihoodResult
from harness.metrics import get_metric
from harness.tasks import Task, load_suite

# BoolQ's choices " no" / " yes": per bare character -2.1 < -2.0 picks "yes";
# with the space counted -1.4 > -1.5 would pick "no".
LOGPROBS = (-4.2, -6.0)


def test_acc_norm_divides_by_the_bare_choice_as_lm_eval_does(
    shared_data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    suite, yaml_name, to_hub = CASES["sglue_boolq"]
    (config,) = load_suite(suite).select(["sglue_boolq"])
    task = Task(config, shared_data)
    items = task.build_items(4)
    metrics = [{"metric": m} for m in ("acc", "acc_norm", "acc_bytes")]
    reference = lm_eval_task(
        yaml_name, [to_hub(i.doc) for i in items], tmp_path, {"metric_list": metrics}
    )
    with_space = np.array(LOGPROBS) / [len(c) for c in items[0].choices or ()]
    assert int(np.argmax(with_space)) == 0  # the inputs do tell the two divisions apart
    for item, doc in zip(items, reference.validation_docs(), strict=True):
        theirs = reference.process_results(doc, [(lp, False) for lp in LOGPROBS])
        outcome = task.outcome(item, [LoglikelihoodResult(lp, False, 1) for lp in LOGPROBS])
        assert theirs["acc_norm"] == (1.0 if item.gold == 1 else 0.0)  # lm-eval picks "yes"
        for name in ("acc", "acc_norm", "acc_bytes"):
            assert get_metric(name).item_value(outcome) == theirs[name], (name, item.doc_id)
