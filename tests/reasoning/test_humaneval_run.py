"""A HumanEval run end to end on the tiny model: each sample keeps its sandbox run."""

from __future__ import annotations

from pathlib import Path

from harness.runner import EvalOptions, run_eval
from harness.store import GenerationOutputs, open_store


def test_a_run_stores_pass_at_1_and_each_completions_sandbox_run(
    tiny_model, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    store = tmp_path / "runs.db"
    options = EvalOptions(
        model="tiny-random-llama",
        suite="humaneval",
        tasks=["humaneval"],
        limit=2,
        gen={"max_new_tokens": 8},
        store=store,
        progress=False,
    )
    report = run_eval(options, model=tiny_model, log=lambda _: None)
    with open_store(store) as opened:
        scores = {s.metric: s.value for s in opened.get_scores(report.run_id, scope="task")}
        samples = opened.get_samples(report.run_id, "humaneval")
    assert len(samples) == 2
    for sample in samples:
        assert isinstance(sample.outputs, GenerationOutputs)
        programs = sample.outputs.programs
        assert programs is not None and len(programs) == 1
        assert sample.prediction == programs[0].answer
        assert (programs[0].status == "ok") == (programs[0].answer == "passed")
        assert sample.metrics["pass_at_1"] == (1.0 if sample.prediction == "passed" else 0.0)
    assert scores["pass_at_1"] == sum(s.metrics["pass_at_1"] for s in samples) / 2
