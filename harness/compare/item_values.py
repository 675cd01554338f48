"""What a metric gives per paired item, read back from the stored samples.

Mean metrics stored their per-item value in each sample; metrics whose items are all 0 or
1 (accuracy, exact match) are compared with McNemar's test, other mean metrics with the
paired bootstrap. Corpus metrics (BLEU, chrF, perplexity) stored no per-item value, so
their sufficient statistics are rebuilt from each sample's prediction and references (or
log-probability and length) by the metric's own code.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from harness.compare.paired_stats import Array, RowScore
from harness.errors import HarnessError
from harness.metrics import CorpusMetric, ItemOutcome, get_metric
from harness.store import GenerationOutputs, RollingOutputs, SampleRecord

MetricKind = Literal["binary", "continuous", "corpus"]


@dataclass(frozen=True)
class PairedValues:
    """One metric on the paired items: vectors for mean metrics, row tables for corpus ones.

    For corpus metrics ``score`` turns a table of rows into the corpus value.
    """

    metric: str
    kind: MetricKind
    baseline: Array
    candidate: Array
    score: RowScore | None = None

    def value(self, side: Array) -> float:
        """The metric over these items: the mean, or the corpus score of the rows."""
        if self.score is not None:
            return self.score(side)
        return float(np.mean(side))


def paired_values(
    metric: str, baseline: Sequence[SampleRecord], candidate: Sequence[SampleRecord]
) -> PairedValues:
    """The metric's per-item values (or statistics rows) for paired samples of one task."""
    if all(metric in s.metrics for s in (*baseline, *candidate)):
        base = np.array([s.metrics[metric] for s in baseline], dtype=np.float64)
        cand = np.array([s.metrics[metric] for s in candidate], dtype=np.float64)
        binary = np.isin(base, (0.0, 1.0)).all() and np.isin(cand, (0.0, 1.0)).all()
        return PairedValues(metric, "binary" if binary else "continuous", base, cand)
    scorer = get_metric(metric)
    if not isinstance(scorer, CorpusMetric):
        raise HarnessError(
            f"metric '{metric}' has no per-item values in the stored samples; "
            "re-run both runs with this harness version"
        )
    base_stats = scorer.corpus_statistics([_outcome(s) for s in baseline])
    cand_stats = scorer.corpus_statistics([_outcome(s) for s in candidate])
    return PairedValues(metric, "corpus", base_stats.rows, cand_stats.rows, cand_stats.score_rows)


def pool(values: Sequence[PairedValues]) -> PairedValues | None:
    """The same metric over the items of several tasks together, or None if it cannot pool.

    0/1 metrics pool as 0/1 only when every task's values are 0/1; corpus rows pool when
    they have the same columns (e.g. the same number of references).
    """
    first = values[0]
    kinds = {v.kind for v in values}
    if kinds <= {"binary", "continuous"}:
        kind: MetricKind = "binary" if kinds == {"binary"} else "continuous"
        return PairedValues(
            first.metric,
            kind,
            np.concatenate([v.baseline for v in values]),
            np.concatenate([v.candidate for v in values]),
        )
    if kinds == {"corpus"} and len({v.baseline.shape[1] for v in values}) == 1:
        return PairedValues(
            first.metric,
            "corpus",
            np.concatenate([v.baseline for v in values]),
            np.concatenate([v.candidate for v in values]),
            first.score,
        )
    return None


def _outcome(sample: SampleRecord) -> ItemOutcome:
    """The fields corpus metrics read, rebuilt from what the sample stored."""
    outputs = sample.outputs
    if isinstance(outputs, GenerationOutputs):
        return ItemOutcome(prediction=sample.prediction, references=tuple(outputs.references))
    if isinstance(outputs, RollingOutputs):
        return ItemOutcome(
            logprob=float(outputs.logprob),
            n_tokens=outputs.n_tokens,
            n_words=outputs.n_words,
            n_bytes=outputs.n_bytes,
        )
    raise HarnessError(
        f"sample {sample.task}/{sample.doc_id} of run {sample.run_id} stored neither references "
        "nor a log-probability; re-run it with this harness version"
    )


def comparable(metric: str, samples: Sequence[SampleRecord]) -> bool:
    """Whether ``metric`` can be compared item by item from these stored samples.

    True for mean metrics whose value every sample stored, and for registered corpus
    metrics (their statistics are rebuilt); aggregate-only metrics are not.
    """
    if all(metric in s.metrics for s in samples):
        return True
    try:
        return isinstance(get_metric(metric), CorpusMetric)
    except HarnessError:
        return False
