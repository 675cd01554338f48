"""LLM-judge tasks through `harness eval`: the shipped judge suite on tiny random models.

The judge's stored probabilities are checked against a plain transformers forward pass of
the judge model on the judge's question; the baseline's stored generations against the
baseline model's own run of the task; a model judged against itself ties on every item.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest

from harness.cli.main import main
from harness.errors import HarnessError
from harness.store import GenerationOutputs, open_store
from harness.tasks.config import expand_task_file
from harness.tasks.judge import CHOICES, check_judge, comparison_prompt, rubric_prompt

CANDIDATE = "tiny-random-llama"
BASELINE = "tiny-random-llama:seed=1"
JUDGE = "tiny-random-llama:seed=2"
TASK = "judge_dialogsum"


def _eval(store: Path, data: Path, model: str, *extra: str) -> str:
    argv = ["eval", "--model", model, "--suite", "judge", "--tasks", TASK, "--limit", "3"]
    argv += ["--gen", "max_new_tokens=8", "--data-dir", str(data), "--store", str(store)]
    assert main([*argv, "--no-progress", *extra]) == 0
    with open_store(store) as opened:
        return opened.list_runs()[0].run_id  # newest first


def _read(store: Path, run_id: str) -> tuple[dict[str, Any], list[Any], dict[str, Any]]:
    with open_store(store) as opened:
        scores = {s.metric: s for s in opened.get_scores(run_id, scope="task")}
        samples = opened.get_samples(run_id, TASK)
        (result,) = opened.get_task_results(run_id)
    return scores, samples, result.details


def _choice_probability(model: Any, tokenizer: Any, context: str) -> float:
    """P(" (A)") normalised against P(" (B)") after ``context``, by a plain forward pass."""
    import torch

    logprobs = []
    for choice in CHOICES:
        context_ids = tokenizer(context)["input_ids"]
        choice_ids = tokenizer(choice)["input_ids"]
        ids = torch.tensor([context_ids + choice_ids])
        with torch.no_grad():
            logits = model(ids).logits.float().log_softmax(-1)[0]
        start = len(context_ids)
        logprobs.append(sum(float(logits[start - 1 + i, t]) for i, t in enumerate(choice_ids)))
    return 1 / (1 + math.exp(logprobs[1] - logprobs[0]))


def test_the_judge_suite_scores_rubric_and_pairwise_with_another_judge_and_baseline(
    tmp_path: Path, shared_data: Path
) -> None:
    from harness.models import load_model

    store = tmp_path / "judge.db"
    run = _eval(store, shared_data, CANDIDATE, "--judge-baseline", BASELINE, "--judge-model", JUDGE)
    scores, samples, details = _read(store, run)
    assert len(samples) == 3
    verdicts = [s.outputs.judge for s in samples]
    assert all(isinstance(s.outputs, GenerationOutputs) for s in samples)
    # The metrics are the stored verdicts' summaries.
    rubric = [v.rubric for v in verdicts]
    assert scores["judge_rubric"].value == pytest.approx(sum(rubric) / 3, abs=1e-12)
    wins = [
        1.0 if (a + b) / 2 > 0.5 else 0.5 if (a + b) / 2 == 0.5 else 0.0
        for a, b in (v.pairwise for v in verdicts)
    ]
    assert scores["judge_pairwise"].value == pytest.approx(sum(wins) / 3, abs=1e-12)
    assert "position_bias_rate" in scores["judge_pairwise"].extra
    assert int(scores["judge_pairwise"].extra.get("reference_n", "0")) == sum(
        v.pairwise_reference != 0.5 and (sum(v.pairwise) / 2) != 0.5 for v in verdicts
    )
    # Who judged and whose answers were compared, by model identity.
    judge, baseline = load_model(JUDGE), load_model(BASELINE)
    assert details["judge"]["judge"]["model_hash"] == judge.weights_hash
    assert details["judge"]["baseline"]["model_hash"] == baseline.weights_hash
    # The judge's probabilities are the judge model's own, on the judge's question.
    shown = "Summarize the following conversation.\n\n{}"
    with open_store(store) as opened:
        docs = [s.doc_id for s in opened.get_samples(run, TASK)]
    from harness.data.readers import read_docs

    rows = read_docs(shared_data / "dialogsum" / "dialogsum.test.jsonl", "jsonl")
    for sample, doc_id in zip(samples, docs, strict=True):
        asked = shown.format(rows[doc_id]["dialogue"])
        verdict = sample.outputs.judge
        meets = _choice_probability(
            judge.model,
            judge.tokenizer,
            rubric_prompt(
                "it is a short, accurate summary that states nothing the conversation does not.",
                asked,
                sample.prediction,
            ),
        )
        assert verdict.rubric == pytest.approx(meets, abs=1e-5)
        question = "Which reply is the better summary of the conversation?"
        first = _choice_probability(
            judge.model,
            judge.tokenizer,
            comparison_prompt(question, asked, sample.prediction, verdict.baseline),
        )
        assert verdict.pairwise[0] == pytest.approx(first, abs=1e-5)
    # The baseline's generations are what the baseline model writes for the same items.
    own = _eval(store, shared_data, BASELINE, "--judge-baseline", BASELINE)
    _, baseline_samples, _ = _read(store, own)
    assert [v.baseline for v in verdicts] == [s.prediction for s in baseline_samples]


def test_a_model_judged_against_itself_ties_on_every_item(
    tmp_path: Path, shared_data: Path
) -> None:
    store = tmp_path / "self.db"
    run = _eval(store, shared_data, CANDIDATE, "--judge-baseline", CANDIDATE)
    scores, samples, details = _read(store, run)
    assert [s.outputs.judge.baseline for s in samples] == [s.prediction for s in samples]
    # Identical answers read the same in both orders, so P(candidate better) shown second is
    # 1 - shown first: a preference of 1/2 on every item (up to batching's float noise).
    for sample in samples:
        first, second = sample.outputs.judge.pairwise
        assert (first + second) / 2 == pytest.approx(0.5, abs=1e-6)
    assert "judge_pairwise" in scores
    assert details["judge"]["judge"]["name"] == "the evaluated model"


def _config(judge: str, metrics: str = "[judge_rubric]") -> Any:
    text = (
        "task: t\ndataset: {path: x, splits: {test: t.jsonl}}\noutput_type: generate_until\n"
        f"test_split: test\ndoc_to_text: '{{{{ q }}}}'\nmetric_list: {metrics}\n{judge}"
    )
    import yaml

    (config,) = expand_task_file(yaml.safe_load(text), where="t.yaml")
    return config


@pytest.mark.parametrize(
    ("judge", "metrics", "problem"),
    [
        ("", "[judge_rubric]", "needs a judge: block"),
        ("judge: {rubric: ok}", "[rouge1]", "neither judge_rubric nor judge_pairwise"),
        ("judge: {question: q}", "[judge_rubric]", "judge_rubric needs judge.rubric"),
        ("judge: {rubric: ok}", "[judge_pairwise]", "judge_pairwise needs judge.baseline"),
        ("judge: {rubric: ok, backend: openai}", "[judge_rubric]", "needs judge.model"),
        ("judge: {rubric: ok, reference: bleu}", "[judge_rubric, rouge1]", "another metric"),
        ("judge: {rubric: ok, reference_pass: 0.5}", "[judge_rubric]", "needs judge.reference"),
    ],
)
def test_a_judge_task_that_does_not_fit_together_is_refused(
    judge: str, metrics: str, problem: str
) -> None:
    with pytest.raises(HarnessError, match=problem):
        check_judge(_config(judge, metrics))
