"""Corpus TER through sacrebleu, equal to sacrebleu.corpus_ter."""

import pytest
import sacrebleu

from harness.metrics import ItemOutcome, get_metric

PREDICTIONS = ["the cat sat on the mat", "a dog barked loudly at night", "hello world"]
REFERENCES = ["the cat is on the mat", "the dog barked at night", "hello there world"]


def _outcomes() -> list[ItemOutcome]:
    return [
        ItemOutcome(prediction=p, references=(r,))
        for p, r in zip(PREDICTIONS, REFERENCES, strict=True)
    ]


def test_ter_equals_sacrebleu_corpus_ter() -> None:
    result = get_metric("ter").summarize(_outcomes(), n_resamples=0)
    assert result.value == pytest.approx(
        sacrebleu.corpus_ter(PREDICTIONS, [REFERENCES]).score, abs=1e-9
    )


def test_ter_is_lower_is_better_and_stores_the_signature() -> None:
    result = get_metric("ter").summarize(_outcomes(), n_resamples=0)
    assert result.higher_is_better is False
    assert result.extra["signature"].startswith("nrefs:1|")
