"""Perplexity-type metrics against hand computations (lm-eval's definitions)."""

import math

import pytest

from harness.errors import HarnessError
from harness.metrics import ItemOutcome, get_metric

# Two documents: total logprob -16, 6 words, 32 bytes.
DOCS = [
    ItemOutcome(logprob=-10.0, n_tokens=5, n_words=4, n_bytes=20),
    ItemOutcome(logprob=-6.0, n_tokens=3, n_words=2, n_bytes=12),
]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("word_perplexity", math.exp(16 / 6)),
        ("byte_perplexity", math.exp(16 / 32)),
        ("bits_per_byte", 16 / (32 * math.log(2))),
    ],
)
def test_rolling_metrics_pool_logprob_over_units(name: str, expected: float) -> None:
    result = get_metric(name).summarize(DOCS)
    assert result.value == pytest.approx(expected, rel=1e-15)
    assert result.higher_is_better is False
    assert result.stderr is None
    assert result.n == 2


def test_pooling_is_not_the_mean_of_document_perplexities() -> None:
    per_doc_mean = (math.exp(10 / 4) + math.exp(6 / 2)) / 2
    assert get_metric("word_perplexity").summarize(DOCS).value != pytest.approx(per_doc_mean)


@pytest.mark.parametrize(
    ("name", "aggregation"),
    [
        ("word_perplexity", "weighted_perplexity"),
        ("byte_perplexity", "weighted_perplexity"),
        ("bits_per_byte", "bits_per_byte"),
    ],
)
def test_rolling_metrics_match_lm_eval(name: str, aggregation: str) -> None:
    lm_metrics = pytest.importorskip("lm_eval.api.metrics")
    unit = "n_words" if name == "word_perplexity" else "n_bytes"
    items = [(d.logprob, getattr(d, unit)) for d in DOCS]
    expected = getattr(lm_metrics, aggregation)(items)
    assert get_metric(name).summarize(DOCS).value == pytest.approx(expected, rel=1e-15)


def test_rolling_metric_bootstrap_is_seeded_and_brackets_the_value() -> None:
    docs = [
        ItemOutcome(logprob=-float(3 * i + 5), n_words=i + 2, n_bytes=5 * i + 9) for i in range(10)
    ]
    metric = get_metric("bits_per_byte")
    result = metric.summarize(docs, seed=5)
    assert result.ci_low is not None and result.ci_high is not None
    assert result.ci_low <= result.value <= result.ci_high
    assert metric.summarize(docs, seed=5) == result
    assert metric.summarize(docs, seed=6).ci_low != result.ci_low


def test_rolling_metrics_need_the_unit_count() -> None:
    with pytest.raises(HarnessError, match=r"'n_bytes'.*loglikelihood_rolling"):
        get_metric("byte_perplexity").summarize([ItemOutcome(logprob=-1.0, n_words=1)])


def test_rolling_metrics_need_some_units_in_total() -> None:
    with pytest.raises(HarnessError, match="0 words in total"):
        get_metric("word_perplexity").summarize([ItemOutcome(logprob=0.0, n_words=0)])
