"""The packaged SmolLM2: continuous batching gives model.generate's greedy outputs."""

from __future__ import annotations

import pytest
import torch

from harness.backends import GenerationConfig, GenerationRequest, HFBackend
from harness.backends.stop_sequences import cut_at_stop
from harness.models import load_model

pytestmark = pytest.mark.integration

FEW_SHOT = (
    "Q: What is 2 + 3?\nA: Let's think step by step. 2 plus 3 is 5. So the answer is 5.\n\n"
    "Q: What is 4 + 4?\nA: Let's think step by step. 4 plus 4 is 8. So the answer is 8.\n\n"
)
QUESTIONS = ["What is 1 + 6?", "What is 10 + 15, and then doubled?", "Is 7 odd?", "What is 9 - 2?"]
STOPS = ("Q", "\n\n")


def test_greedy_rows_finishing_apart_equal_model_generate_alone() -> None:
    loaded = load_model("smollm2-135m-instruct")
    prompts = [FEW_SHOT + f"Q: {q}\nA:" for q in QUESTIONS] + ["The capital of France is"]
    limits = [40, 24, 32, 16, 20]
    requests = [
        GenerationRequest(p, GenerationConfig(max_new_tokens=n, stop=STOPS))
        for p, n in zip(prompts, limits, strict=True)
    ]
    results = HFBackend(loaded, batch_size=2).generate(requests)  # rows join as others leave
    for result, prompt, limit in zip(results, prompts, limits, strict=True):
        ids = torch.tensor([loaded.tokenizer.encode(prompt)])
        with torch.inference_mode():
            out = loaded.model.generate(
                ids, attention_mask=torch.ones_like(ids), max_new_tokens=limit, do_sample=False
            )
        text = loaded.tokenizer.decode(out[0, ids.shape[1] :], skip_special_tokens=True)
        assert result.text == cut_at_stop(text, STOPS)
    assert len({r.n_tokens for r in results}) > 1
