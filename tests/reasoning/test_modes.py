"""`harness modes`: tasks of one run over the same documents, paired by document."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from harness.cli.main import main
from harness.compare.modes import mode_groups, pair_by_document
from harness.compare.paired_stats import binary_paired_difference
from harness.runner import EvalOptions, run_eval
from harness.store import MultipleChoiceOutputs, SampleRecord, open_store


def _sample(task: str, doc: int, correct: float) -> SampleRecord:
    return SampleRecord(
        run_id="r",
        task=task,
        doc_id=doc,
        doc_hash=f"doc{doc}",
        prompt_hash=f"{task}-{doc}",  # prompts differ by design between modes
        target="",
        prediction="",
        outputs=MultipleChoiceOutputs(prompt="", choices=[], logprobs=[], is_greedy=[], gold=0),
        metrics={"acc": correct},
    )


def test_tasks_pair_by_document_whatever_their_prompts_and_order() -> None:
    base = [_sample("closed", d, v) for d, v in [(3, 1.0), (1, 0.0), (2, 0.0)]]
    other = [_sample("gold", d, v) for d, v in [(2, 1.0), (3, 1.0), (1, 1.0)]]
    left, right = pair_by_document(base, other)
    assert [s.doc_id for s in left] == [s.doc_id for s in right] == [1, 2, 3]


def test_each_group_is_compared_with_its_first_task_by_hand() -> None:
    closed = [0.0, 1.0, 0.0, 0.0, 1.0, 0.0]
    gold = [1.0, 1.0, 1.0, 0.0, 1.0, 1.0]  # right on 3 more, wrong on none more
    samples = {
        "closed": [_sample("closed", d, v) for d, v in enumerate(closed)],
        "other_docs": [_sample("other_docs", d + 10, 1.0) for d in range(6)],
        "gold": [_sample("gold", d, v) for d, v in reversed(list(enumerate(gold)))],
    }
    (group,) = mode_groups(samples)  # "other_docs" asks other documents: no group of its own
    assert group.metric == "acc"
    baseline, row = group.rows
    assert (baseline.task, baseline.value, baseline.estimate) == ("closed", 2 / 6, None)
    assert row.task == "gold" and row.n == 6 and row.value == 5 / 6
    assert row.estimate is not None and row.estimate.difference == pytest.approx(3 / 6)
    assert row.estimate.discordant == 3
    assert row.estimate == binary_paired_difference(np.array(closed), np.array(gold))


def test_harness_modes_prints_the_rag_table_of_a_stored_run(
    tiny_model, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:  # type: ignore[no-untyped-def]
    store = tmp_path / "runs.db"
    options = EvalOptions(
        model="tiny-random-llama", suite="rag", limit=4, store=store, progress=False
    )
    report = run_eval(options, model=tiny_model, log=lambda _: None)
    assert main(["modes", report.run_id, "--store", str(store)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[2].split() == [
        "task",
        "n",
        "acc",
        "diff",
        "vs",
        "rag_closed_book",
        "95%",
        "CI",
        "p",
    ]
    tasks = [line.split()[0] for line in lines[4:]]
    assert tasks == ["rag_closed_book", "rag_retrieved_k1", "rag_retrieved_k3", "rag_gold_passage"]
    with open_store(store) as opened:
        closed = opened.get_samples(report.run_id, "rag_closed_book")
        gold = opened.get_samples(report.run_id, "rag_gold_passage")
    expected = sum(s.metrics["acc"] for s in gold) / 4 - sum(s.metrics["acc"] for s in closed) / 4
    assert lines[-1].split()[3] == f"{expected:+.3f}"
