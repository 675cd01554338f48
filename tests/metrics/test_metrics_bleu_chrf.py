"""bleu and chrf equal direct sacrebleu corpus calls; their bootstrap is seeded."""

from collections.abc import Callable
from typing import Any

import pytest
import sacrebleu
from sacrebleu.metrics.bleu import BLEU
from sacrebleu.metrics.chrf import CHRF

from harness.errors import HarnessError
from harness.metrics import ItemOutcome, get_metric
from harness.metrics.base import CorpusMetric

PREDICTIONS = [
    "The cat sat on the mat.",
    "A quick brown fox jumps over the lazy dog.",
    "He went to the market to buy some bread.",
    "It is raining heavily in the city today.",
    "She reads a book every night before bed.",
    "The children played football in the park.",
    "We will meet at the station at noon.",
    "The old man walked slowly along the river.",
]
REFS_A = [
    "The cat sat on the mat.",
    "The quick brown fox jumped over the lazy dog.",
    "He went to the market to get bread.",
    "Heavy rain is falling in the city today.",
    "Every night she reads a book before sleeping.",
    "Children were playing football in the park.",
    "We meet at the station at twelve.",
    "An old man was walking slowly by the river.",
]
REFS_B = [
    "A cat was sitting on the mat.",
    "A fast brown fox leaps over a lazy dog.",
    "He visited the market to buy bread.",
    "It rains a lot in the city today.",
    "She reads one book each night before bed.",
    "The kids played soccer in the park.",
    "We shall meet at the station at noon.",
    "The old man strolled along the river slowly.",
]
STREAMS = [REFS_A, REFS_B]
OUTCOMES = [
    ItemOutcome(prediction=p, references=(a, b))
    for p, a, b in zip(PREDICTIONS, REFS_A, REFS_B, strict=True)
]


def corpus_metric(name: str) -> CorpusMetric:
    metric = get_metric(name)
    assert isinstance(metric, CorpusMetric)
    return metric


def test_bleu_equals_sacrebleu_corpus_bleu_with_its_signature() -> None:
    reference = BLEU()
    expected = reference.corpus_score(PREDICTIONS, STREAMS)
    result = get_metric("bleu").summarize(OUTCOMES)
    assert result.value == sacrebleu.corpus_bleu(PREDICTIONS, STREAMS).score == expected.score
    assert result.extra["signature"] == str(reference.get_signature())
    assert result.extra["signature"].startswith("nrefs:2|")


def test_chrf_equals_sacrebleu_corpus_chrf_with_its_signature() -> None:
    reference = CHRF()
    expected = reference.corpus_score(PREDICTIONS, STREAMS)
    result = get_metric("chrf").summarize(OUTCOMES)
    assert result.value == sacrebleu.corpus_chrf(PREDICTIONS, STREAMS).score == expected.score
    assert result.extra["signature"] == str(reference.get_signature())


@pytest.mark.parametrize(
    ("name", "corpus_score"), [("bleu", sacrebleu.corpus_bleu), ("chrf", sacrebleu.corpus_chrf)]
)
def test_bootstrap_statistic_on_the_full_sample_is_the_corpus_score(
    name: str, corpus_score: Callable[..., Any]
) -> None:
    single_ref = [
        ItemOutcome(prediction=p, references=(a,)) for p, a in zip(PREDICTIONS, REFS_A, strict=True)
    ]
    stats = corpus_metric(name).corpus_statistics(single_ref)
    assert stats.rows.shape[0] == len(PREDICTIONS)
    assert stats.score_rows(stats.rows) == corpus_score(PREDICTIONS, [REFS_A]).score


@pytest.mark.parametrize("name", ["bleu", "chrf"])
def test_corpus_metrics_have_no_item_value_or_stderr(name: str) -> None:
    metric = get_metric(name)
    assert metric.item_value(OUTCOMES[0]) is None
    assert metric.summarize(OUTCOMES).stderr is None


@pytest.mark.parametrize("name", ["bleu", "chrf"])
def test_bootstrap_ci_contains_the_value(name: str) -> None:
    result = get_metric(name).summarize(OUTCOMES, seed=0)
    assert result.ci_low is not None and result.ci_high is not None
    assert result.ci_low <= result.value <= result.ci_high
    assert result.extra["ci_method"] == "bootstrap"


@pytest.mark.parametrize("name", ["bleu", "chrf"])
def test_bootstrap_ci_is_seeded(name: str) -> None:
    metric = get_metric(name)
    first = metric.summarize(OUTCOMES, seed=1)
    again = metric.summarize(OUTCOMES, seed=1)
    other = metric.summarize(OUTCOMES, seed=2)
    assert (first.ci_low, first.ci_high) == (again.ci_low, again.ci_high)
    assert (first.ci_low, first.ci_high) != (other.ci_low, other.ci_high)
    assert first.value == other.value


@pytest.mark.parametrize("name", ["bleu", "chrf"])
def test_items_must_share_a_reference_count(name: str) -> None:
    ragged = [*OUTCOMES[:2], ItemOutcome(prediction="x", references=("x",))]
    with pytest.raises(HarnessError, match=r"same number of references.*found 1, 2"):
        get_metric(name).summarize(ragged)
