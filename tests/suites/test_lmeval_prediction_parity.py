"""On GLUE/SuperGLUE tasks, our run predicts what lm-eval's own task + HFLM predict.

lm-eval builds its requests from its YAML (over the same documents in the Hub's layout)
and scores them with HFLM on the same SmolLM2 weights; we build ours from our YAML and
score them with HFBackend. The chosen answer must be the same for every item.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from lmeval_reference import CASES, lm_eval_task

from harness.backends import HFBackend
from harness.models import load_model
from harness.models.gguf import ensure_converted
from harness.models.packaged import PACKAGED_MODELS, packaged_file
from harness.tasks import Task, load_suite

pytestmark = pytest.mark.integration

TASKS = ["glue_cola", "sglue_copa"]  # short prompts keep this fast
N_DOCS = 2


def test_predictions_equal_lm_eval_hflm(
    shared_data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from lm_eval.models.huggingface import HFLM

    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    backend = HFBackend(load_model("smollm2-135m-instruct"), batch_size=8)
    folder = ensure_converted(packaged_file(PACKAGED_MODELS["smollm2-135m-instruct"]))
    reference = HFLM(pretrained=str(folder), batch_size=8, device="cpu")
    for name in TASKS:
        suite, yaml_name, to_hub = CASES[name]
        (config,) = load_suite(suite).select([name])
        items = Task(config, shared_data).build_items(N_DOCS)
        lm_task = lm_eval_task(yaml_name, [to_hub(i.doc) for i in items], tmp_path / name)
        for item, doc in zip(items, lm_task.validation_docs(), strict=True):
            instances = lm_task.construct_requests(doc, lm_task.fewshot_context(doc, 0))
            theirs = [ll for ll, _ in reference.loglikelihood(instances, disable_tqdm=True)]
            ours = [r.logprob for r in backend.loglikelihood(list(item.requests))]  # type: ignore[arg-type]
            assert int(np.argmax(ours)) == int(np.argmax(theirs)), (name, item.doc_id)
            assert ours == pytest.approx(theirs, abs=1e-4)
