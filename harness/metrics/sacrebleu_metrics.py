"""Corpus BLEU, chrF and TER, computed by ``sacrebleu`` (never re-implemented here).

Both are corpus-level: n-gram counts are pooled over the whole set before the score is
taken, so the mean of sentence scores would be a different metric. The value is what
``sacrebleu.corpus_bleu`` / ``corpus_chrf`` report (0-100 scale), and ``extra["signature"]``
records sacrebleu's reproducibility signature.

The bootstrap CI resamples items and rescores their summed sacrebleu sufficient
statistics (``_extract_corpus_statistics`` rows and ``_compute_score_from_stats``), which
is how sacrebleu's own paired bootstrap works and avoids re-tokenizing 1000 times. Sums
are float64 (sacrebleu uses float32) so the full-sample value equals ``corpus_bleu``
exactly.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from harness.errors import HarnessError
from harness.metrics.base import CorpusMetric, CorpusStatistics
from harness.metrics.generation import prediction_and_references
from harness.metrics.outcome import ItemOutcome
from harness.metrics.registry import register_metric

if TYPE_CHECKING:  # sacrebleu loads when a corpus is first scored, not at start-up
    from sacrebleu.metrics.base import Metric as SacreMetric


def reference_streams(
    metric: str, outcomes: Sequence[ItemOutcome]
) -> tuple[list[str], list[list[str]]]:
    """Predictions and references in sacrebleu's layout: one stream per reference slot.

    sacrebleu takes ``refs[j][i]`` = the j-th reference of item i, the transpose of
    per-item references, so every item must have the same number of references.
    """
    predictions: list[str] = []
    per_item: list[tuple[str, ...]] = []
    for outcome in outcomes:
        prediction, references = prediction_and_references(metric, outcome)
        predictions.append(prediction)
        per_item.append(references)
    counts = sorted({len(refs) for refs in per_item})
    if len(counts) > 1:
        raise HarnessError(
            f"metric '{metric}' needs the same number of references for every item, found "
            f"{', '.join(map(str, counts))}; give every item the same number of references"
        )
    return predictions, [list(stream) for stream in zip(*per_item, strict=True)]


def _statistics(
    scorer: SacreMetric, predictions: list[str], streams: list[list[str]]
) -> CorpusStatistics:
    """sacrebleu's per-sentence statistics, scored by the same scorer object."""
    rows: npt.NDArray[np.float64] = np.asarray(
        scorer._extract_corpus_statistics(predictions, streams), dtype=np.float64
    )

    def score(totals: npt.NDArray[np.float64]) -> float:
        # A fresh list per call: sacrebleu's add-k smoothing edits its argument in place.
        return float(scorer._compute_score_from_stats(totals.tolist()).score)

    # The signature is read after extraction: that is when sacrebleu learns the
    # number of references it records.
    return CorpusStatistics(
        rows=rows, score=score, extra={"signature": str(scorer.get_signature())}
    )


@register_metric("bleu")
class Bleu(CorpusMetric):
    """sacrebleu corpus BLEU with its defaults (13a tokenizer, exp smoothing), 0-100."""

    name = "bleu"
    higher_is_better = True
    output_types = frozenset({"generate_until"})

    def corpus_statistics(self, outcomes: Sequence[ItemOutcome]) -> CorpusStatistics:
        predictions, streams = reference_streams(self.name, outcomes)
        from sacrebleu.metrics.bleu import BLEU

        return _statistics(BLEU(), predictions, streams)


@register_metric("chrf")
class Chrf(CorpusMetric):
    """sacrebleu corpus chrF with its defaults (char order 6, beta 2), 0-100."""

    name = "chrf"
    higher_is_better = True
    output_types = frozenset({"generate_until"})

    def corpus_statistics(self, outcomes: Sequence[ItemOutcome]) -> CorpusStatistics:
        predictions, streams = reference_streams(self.name, outcomes)
        from sacrebleu.metrics.chrf import CHRF

        return _statistics(CHRF(), predictions, streams)


@register_metric("ter")
class Ter(CorpusMetric):
    """sacrebleu corpus TER (edits per reference word, 0-100+), lower is better."""

    name = "ter"
    higher_is_better = False
    output_types = frozenset({"generate_until"})

    def corpus_statistics(self, outcomes: Sequence[ItemOutcome]) -> CorpusStatistics:
        predictions, streams = reference_streams(self.name, outcomes)
        from sacrebleu.metrics.ter import TER

        return _statistics(TER(), predictions, streams)
