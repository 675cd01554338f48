"""Pairing by content hash, refusals, and the comparison rows built from stored samples."""

from __future__ import annotations

import pytest

from harness.compare import compare_paired, pair_runs
from harness.compare.pairing import pair_task
from harness.errors import HarnessError
from harness.store import GenerationOutputs, SampleRecord


def sample(run: str, task: str, doc: int, acc: float, prompt: str = "p", **extra) -> SampleRecord:  # type: ignore[no-untyped-def]
    return SampleRecord(
        run_id=run,
        task=task,
        doc_id=doc,
        doc_hash=f"doc{doc}",
        prompt_hash=f"{prompt}{doc}",
        target="A",
        prediction="A",
        outputs=extra.pop("outputs", GenerationOutputs(prompt="p", references=["A"], n_tokens=1)),
        metrics={"acc": acc, **extra},
    )


def test_items_pair_by_document_and_prompt_hash_not_by_position() -> None:
    base = [sample("b", "t", 0, 1.0), sample("b", "t", 1, 0.0)]
    cand = [sample("c", "t", 1, 1.0), sample("c", "t", 0, 0.0)]
    paired = pair_task("t", base, cand)
    assert [
        (b.doc_hash, c.doc_hash) for b, c in zip(paired.baseline, paired.candidate, strict=True)
    ] == [
        ("doc0", "doc0"),
        ("doc1", "doc1"),
    ]


def test_an_item_whose_prompt_changed_is_not_paired() -> None:
    base = [sample("b", "t", i, 1.0) for i in range(4)]
    cand = [sample("c", "t", i, 1.0, prompt="q" if i == 3 else "p") for i in range(4)]
    assert len(pair_task("t", base, cand).baseline) == 3


def test_runs_of_different_tasks_are_refused() -> None:
    base = [sample("b", "mmlu_anatomy", i, 1.0) for i in range(3)]
    cand = [sample("c", "dialogsum_0shot", i, 1.0) for i in range(3)]
    with pytest.raises(HarnessError, match="share no task; compare two runs of the same suite"):
        pair_runs("b", base, "c", cand)


def test_a_small_overlap_is_refused() -> None:
    base = [sample("b", "t", i, 1.0) for i in range(10)]
    cand = [sample("c", "t", i, 1.0, prompt="q" if i < 5 else "p") for i in range(10)]
    with pytest.raises(HarnessError, match=r"only 5 of 10 items .*\(overlap 50%, need 80%\)"):
        pair_runs("b", base, "c", cand)


def test_a_task_in_one_run_only_is_left_out_with_a_note() -> None:
    base = [sample("b", "t", i, 1.0) for i in range(3)] + [sample("b", "u", 0, 1.0)]
    cand = [sample("c", "t", i, 1.0) for i in range(3)]
    tasks, notes = pair_runs("b", base, "c", cand)
    assert [t.task for t in tasks] == ["t"]
    assert notes == ["task u is only in the baseline run; left out"]


def _two_task_pair() -> list:  # type: ignore[type-arg]
    base = [sample("b", "t1", i, 1.0) for i in range(6)] + [
        sample("b", "t2", i, float(i % 2)) for i in range(6)
    ]
    cand = [sample("c", "t1", i, 0.0 if i < 2 else 1.0) for i in range(6)] + [
        sample("c", "t2", i, float(i % 2)) for i in range(6)
    ]
    tasks, _ = pair_runs("b", base, "c", cand)
    return tasks


def test_a_metric_in_several_tasks_gets_a_pooled_primary_suite_row() -> None:
    rows, _ = compare_paired(
        "toy", _two_task_pair(), {"t1": ["acc"], "t2": ["acc"]}, {"acc": True}, {}
    )
    assert [(r.scope, r.name, r.n, r.primary) for r in rows] == [
        ("task", "t1", 6, False),
        ("task", "t2", 6, False),
        ("suite", "toy", 12, True),
    ]
    pooled = rows[-1]
    assert (pooled.baseline, pooled.candidate, pooled.difference) == (
        pytest.approx(9 / 12),
        pytest.approx(7 / 12),
        pytest.approx(-2 / 12),
    )
    assert pooled.method == "mcnemar-exact"


def test_task_p_values_are_holm_adjusted_across_tasks() -> None:
    rows, _ = compare_paired(
        "toy", _two_task_pair(), {"t1": ["acc"], "t2": ["acc"]}, {"acc": True}, {}
    )
    t1, t2 = rows[0], rows[1]
    assert (t1.p_value, t2.p_value) == (0.5, 1.0)
    assert (t1.p_holm, t2.p_holm) == (1.0, 1.0)


def test_a_margin_that_matches_no_metric_is_refused() -> None:
    with pytest.raises(HarnessError, match="margin acc_nrom matches no compared metric"):
        compare_paired(
            "toy",
            _two_task_pair(),
            {"t1": ["acc"], "t2": ["acc"]},
            {"acc": True},
            {"acc_nrom": 0.1},
        )


def test_a_non_binary_mean_metric_uses_the_paired_bootstrap() -> None:
    base = [sample("b", "t", i, 1.0, rouge1=0.1 * i) for i in range(5)]
    cand = [sample("c", "t", i, 1.0, rouge1=0.1 * i + 0.05) for i in range(5)]
    tasks, _ = pair_runs("b", base, "c", cand)
    rows, result = compare_paired("toy", tasks, {"t": ["rouge1"]}, {"rouge1": True}, {})
    (row,) = rows
    assert row.method == "paired-bootstrap"
    assert (row.difference, row.ci_low, row.ci_high) == (
        pytest.approx(0.05),
        pytest.approx(0.05),
        pytest.approx(0.05),
    )
    assert result == "pass"


def test_corpus_bleu_is_rebuilt_from_predictions_and_references() -> None:
    refs = GenerationOutputs(
        prompt="p",
        references=["the cat sat on the mat", "a cat sat on a mat", "the cat is on the mat"],
        n_tokens=6,
    )
    base = [
        SampleRecord(
            run_id="b",
            task="t",
            doc_id=i,
            doc_hash=f"d{i}",
            prompt_hash=f"p{i}",
            target="",
            prediction="the cat sat on the mat",
            outputs=refs,
            metrics={},
        )
        for i in range(3)
    ]
    cand = [s.model_copy(update={"run_id": "c", "prediction": "a dog"}) for s in base]
    tasks, _ = pair_runs("b", base, "c", cand)
    rows, result = compare_paired("toy", tasks, {"t": ["bleu"]}, {"bleu": True}, {"bleu": 1.0})
    (row,) = rows
    assert row.method == "paired-bootstrap-corpus"
    assert row.baseline == pytest.approx(100.0)
    assert row.difference == pytest.approx(row.candidate - 100.0)
    assert result == "regress"


def test_a_metric_without_item_values_or_corpus_statistics_is_not_comparable() -> None:
    from harness.compare.item_values import comparable

    samples = [sample("b", "t", i, 1.0) for i in range(3)]
    assert comparable("acc", samples)
    assert comparable("bleu", samples)  # rebuilt from predictions and references
    assert not comparable("acc_macro", samples)


def test_one_item_per_task_pools_into_the_suite_row_only() -> None:
    """A one-prompt-per-group slice (13 toxicity tasks at --limit 1) compares as a suite."""
    base = [sample("b", f"t{k}", 0, float(k % 2)) for k in range(5)]
    cand = [sample("c", f"t{k}", 0, 1.0) for k in range(5)]
    tasks, _ = pair_runs("b", base, "c", cand)
    rows, _ = compare_paired("toy", tasks, {t.task: ["acc"] for t in tasks}, {"acc": True}, {})
    assert [(r.scope, r.name, r.n, r.primary) for r in rows] == [("suite", "toy", 5, True)]
    assert rows[0].difference == pytest.approx(3 / 5)


def test_a_single_task_with_one_item_is_still_refused() -> None:
    with pytest.raises(HarnessError, match=r"only 1 of 1 items"):
        pair_runs("b", [sample("b", "t", 0, 1.0)], "c", [sample("c", "t", 0, 0.0)])
