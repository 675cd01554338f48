"""ROUGE F-measures, computed by Google's ``rouge_score`` (never re-implemented here).

Scores use Porter stemming (``use_stemmer=True``). With several references an item
scores the best F-measure over them (``RougeScorer.score_multi``, max per ROUGE type), as
in the DialogSum paper's multi-reference evaluation. Note that ``rouge_score``'s default
tokenizer keeps only ASCII letters and digits, so text in other scripts scores 0.

``rougeLsum`` is summary-level LCS over sentences, and ``rouge_score`` finds sentences by
splitting on newlines only. Before scoring ``rougeLsum`` (and only it) each sentence is put
on its own line with the regex splitter ``(?<=[.!?])\\s+`` -- the same idea as the
Hugging Face ``evaluate`` rouge, which uses nltk's sentence tokenizer.
"""

from __future__ import annotations

import functools
import re
from functools import partial
from typing import TYPE_CHECKING

from harness.metrics.base import MeanMetric
from harness.metrics.generation import prediction_and_references
from harness.metrics.outcome import ItemOutcome
from harness.metrics.registry import register_metric

if TYPE_CHECKING:  # rouge_score pulls in nltk (~0.8 s); imported when a scorer is first built
    from rouge_score.rouge_scorer import RougeScorer

ROUGE_TYPES: tuple[str, ...] = ("rouge1", "rouge2", "rougeL", "rougeLsum")

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def split_sentences(text: str) -> str:
    """``text`` with one sentence per line, the layout ``rougeLsum`` expects."""
    return "\n".join(s for s in _SENTENCE_END.split(text.strip()) if s)


@functools.cache
def _scorer(rouge_type: str) -> RougeScorer:
    """One cached scorer per ROUGE type: building one (with its stemmer) is slow, and a
    single-type scorer does only the work its metric needs."""
    from rouge_score.rouge_scorer import RougeScorer

    return RougeScorer([rouge_type], use_stemmer=True)


class Rouge(MeanMetric):
    """Best-over-references ROUGE F-measure of one type, in [0, 1]."""

    higher_is_better = True
    output_types = frozenset({"generate_until"})

    def __init__(self, rouge_type: str) -> None:
        if rouge_type not in ROUGE_TYPES:
            raise ValueError(f"unknown ROUGE type {rouge_type!r}; known: {ROUGE_TYPES}")
        self.name = rouge_type

    def item_value(self, outcome: ItemOutcome) -> float:
        prediction, references = prediction_and_references(self.name, outcome)
        targets = list(references)
        if self.name == "rougeLsum":
            prediction = split_sentences(prediction)
            targets = [split_sentences(ref) for ref in targets]
        scores = _scorer(self.name).score_multi(targets, prediction)
        return float(scores[self.name].fmeasure)


for _rouge_type in ROUGE_TYPES:
    register_metric(_rouge_type)(partial(Rouge, _rouge_type))
