"""Perplexity-type metrics for rolling loglikelihood tasks (lower is better).

These follow lm-eval's ``weighted_perplexity`` and ``bits_per_byte`` aggregations: total
log-probability over total units, pooled across documents, so long documents weigh in
proportion to their length. Dividing by words or bytes instead of tokens makes models with
different tokenizers comparable.

- ``word_perplexity`` = exp(-sum logprob / sum n_words)
- ``byte_perplexity`` = exp(-sum logprob / sum n_bytes)
- ``bits_per_byte``  = -sum logprob / (sum n_bytes * ln 2)
"""

import math
from abc import abstractmethod
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from harness.errors import HarnessError
from harness.metrics.base import CorpusMetric, CorpusStatistics, missing_field
from harness.metrics.outcome import ItemOutcome
from harness.metrics.registry import register_metric


def _exp_neg_rate(totals: npt.NDArray[np.float64]) -> float:
    """exp(-logprob / units) on summed [logprob, units].

    NaN for zero units (a bootstrap resample of only empty documents); inf past float range.
    """
    logprob, units = float(totals[0]), float(totals[1])
    if units == 0:
        return math.nan
    try:
        return math.exp(-logprob / units)
    except OverflowError:
        return math.inf


def _bits_per_unit(totals: npt.NDArray[np.float64]) -> float:
    """-logprob / (units * ln 2) on summed [logprob, units]; NaN for zero units."""
    logprob, units = float(totals[0]), float(totals[1])
    if units == 0:
        return math.nan
    return -logprob / (units * math.log(2))


class _RollingMetric(CorpusMetric):
    """A score of summed log-probability and summed text units (words or bytes)."""

    higher_is_better = False
    output_types = frozenset({"loglikelihood_rolling"})
    unit_field: str

    @abstractmethod
    def score_totals(self, totals: npt.NDArray[np.float64]) -> float:
        """The score of summed [logprob, units]."""

    def corpus_statistics(self, outcomes: Sequence[ItemOutcome]) -> CorpusStatistics:
        rows: list[tuple[float, float]] = []
        for outcome in outcomes:
            if outcome.logprob is None:
                raise missing_field(self.name, "logprob", "loglikelihood_rolling")
            units = getattr(outcome, self.unit_field)
            if units is None:
                raise missing_field(self.name, self.unit_field, "loglikelihood_rolling")
            if units < 0:
                raise HarnessError(
                    f"metric '{self.name}': {self.unit_field} is {units}, below 0; "
                    "count the units of the scored text"
                )
            rows.append((outcome.logprob, float(units)))
        if sum(units for _, units in rows) == 0:
            raise HarnessError(
                f"metric '{self.name}': the items hold 0 {self.unit_field[2:]} in total; "
                "score non-empty documents"
            )
        return CorpusStatistics(rows=np.asarray(rows, dtype=np.float64), score=self.score_totals)


@register_metric("word_perplexity")
class WordPerplexity(_RollingMetric):
    """exp of the negative log-probability per word, pooled over documents."""

    name = "word_perplexity"
    unit_field = "n_words"

    def score_totals(self, totals: npt.NDArray[np.float64]) -> float:
        return _exp_neg_rate(totals)


@register_metric("byte_perplexity")
class BytePerplexity(_RollingMetric):
    """exp of the negative log-probability per UTF-8 byte, pooled over documents."""

    name = "byte_perplexity"
    unit_field = "n_bytes"

    def score_totals(self, totals: npt.NDArray[np.float64]) -> float:
        return _exp_neg_rate(totals)


@register_metric("bits_per_byte")
class BitsPerByte(_RollingMetric):
    """Negative log2-probability per UTF-8 byte, pooled over documents."""

    name = "bits_per_byte"
    unit_field = "n_bytes"

    def score_totals(self, totals: npt.NDArray[np.float64]) -> float:
        return _bits_per_unit(totals)
