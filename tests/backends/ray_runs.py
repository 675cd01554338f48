"""What the Ray replica tests share: the toy run's options and a sample-by-sample comparison.

A Ray run must store what a single-process run of the same backend stores: the same samples
(greedy generations exactly, log-likelihoods to float rounding, as batching changes only
rounding: tests/backends/test_backends_batching.py) and the same scores.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from harness.store import MultipleChoiceOutputs, open_store

TOY_TASKS = ("toy_mc", "toy_gen")


def stored_run(store: Path, run_id: str) -> dict[str, Any]:
    """A run's status, device, samples per task (by doc id) and scores, as stored."""
    with open_store(store) as opened:
        run = opened.get_run(run_id)
        samples = {task: opened.get_samples(run_id, task) for task in TOY_TASKS}
        scores = sorted(
            (s.scope, s.name, s.metric, s.value, s.ci_low, s.ci_high)
            for s in opened.get_scores(run_id)
        )
    return {"status": run.status, "device": run.device, "samples": samples, "scores": scores}


def assert_same_results(got: dict[str, Any], expected: dict[str, Any]) -> None:
    """Every sample once, equal to the reference (log-probabilities to 1e-5), same scores."""
    for task in TOY_TASKS:
        mine = got["samples"][task]
        theirs = expected["samples"][task]
        assert [s.doc_id for s in mine] == sorted({s.doc_id for s in mine})  # each doc once
        assert [s.doc_id for s in mine] == [s.doc_id for s in theirs]
        for a, b in zip(mine, theirs, strict=True):
            assert (a.prompt_hash, a.target, a.prediction, a.metrics) == (
                b.prompt_hash,
                b.target,
                b.prediction,
                b.metrics,
            )
            if isinstance(b.outputs, MultipleChoiceOutputs):
                assert isinstance(a.outputs, MultipleChoiceOutputs)
                assert a.outputs.logprobs == pytest.approx(b.outputs.logprobs, abs=1e-5)
                assert a.outputs.is_greedy == b.outputs.is_greedy
            else:
                assert a.outputs == b.outputs
    assert got["scores"] == expected["scores"]
