"""ROUGE metrics equal direct rouge_score calls, best over references."""

import pytest
from rouge_score.rouge_scorer import RougeScorer

from harness.metrics import ItemOutcome, get_metric
from harness.metrics.rouge import split_sentences

PREDICTION = "The cat sat on the mat. It was very happy! Then the dog came running."
REFERENCE = "A cat was sitting on the mat. The cat looked happy. A dog ran in."
# The same texts with one sentence per line, as rouge_score's rougeLsum expects.
PREDICTION_LINES = "The cat sat on the mat.\nIt was very happy!\nThen the dog came running."
REFERENCE_LINES = "A cat was sitting on the mat.\nThe cat looked happy.\nA dog ran in."

REFERENCES = (
    "The dog ate my homework.",
    "The cat sat on a mat and was happy; a dog came running.",
    "Nothing in common here.",
)


@pytest.fixture(scope="module")
def scorer() -> RougeScorer:
    return RougeScorer(["rouge1", "rouge2", "rougeL", "rougeLsum"], use_stemmer=True)


@pytest.mark.parametrize("rouge_type", ["rouge1", "rouge2", "rougeL"])
def test_rouge_equals_rouge_score_fmeasure(scorer: RougeScorer, rouge_type: str) -> None:
    outcome = ItemOutcome(prediction=PREDICTION, references=(REFERENCE,))
    expected = scorer.score(REFERENCE, PREDICTION)[rouge_type].fmeasure
    assert get_metric(rouge_type).item_value(outcome) == expected


def test_split_sentences_puts_each_sentence_on_its_own_line() -> None:
    assert split_sentences(PREDICTION) == PREDICTION_LINES
    assert split_sentences(REFERENCE) == REFERENCE_LINES


def test_rougelsum_scores_the_newline_split_text(scorer: RougeScorer) -> None:
    outcome = ItemOutcome(prediction=PREDICTION, references=(REFERENCE,))
    expected = scorer.score(REFERENCE_LINES, PREDICTION_LINES)["rougeLsum"].fmeasure
    unsplit = scorer.score(REFERENCE, PREDICTION)["rougeLsum"].fmeasure
    assert expected != unsplit  # the split matters for these texts
    assert get_metric("rougeLsum").item_value(outcome) == expected


@pytest.mark.parametrize("rouge_type", ["rouge1", "rouge2", "rougeL", "rougeLsum"])
def test_rouge_takes_the_best_of_several_references(scorer: RougeScorer, rouge_type: str) -> None:
    outcome = ItemOutcome(prediction=PREDICTION, references=REFERENCES)
    prepare = split_sentences if rouge_type == "rougeLsum" else str
    per_reference = [
        scorer.score(prepare(ref), prepare(PREDICTION))[rouge_type].fmeasure for ref in REFERENCES
    ]
    assert per_reference.index(max(per_reference)) == 1  # the best is not simply the first
    assert get_metric(rouge_type).item_value(outcome) == max(per_reference)


def test_rouge_summary_is_the_mean_fmeasure_in_unit_range() -> None:
    outcomes = [
        ItemOutcome(prediction=PREDICTION, references=(REFERENCE,)),
        ItemOutcome(prediction="identical text", references=("identical text",)),
    ]
    metric = get_metric("rouge1")
    result = metric.summarize(outcomes)
    first = metric.item_value(outcomes[0])
    assert first is not None
    assert result.value == pytest.approx((first + 1.0) / 2)
    assert 0.0 <= result.value <= 1.0
