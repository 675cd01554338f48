"""Metric names: lookup, listing, and the error for a name that does not exist."""

import pytest

from harness.errors import HarnessError
from harness.metrics import Metric, get_metric, known_metrics, register_metric

ALL = [
    "acc",
    "acc_ambig",
    "acc_bytes",
    "acc_disambig",
    "acc_fairness",
    "acc_norm",
    "acc_norm_fairness",
    "acc_norm_robustness",
    "acc_robustness",
    "agreement",
    "bias_ambig",
    "bias_disambig",
    "bits_per_byte",
    "bleu",
    "bleu_acc",
    "bleu_acc_fairness",
    "bleu_acc_robustness",
    "bleu_diff",
    "bleu_max",
    "bleu_max_fairness",
    "bleu_max_robustness",
    "byte_perplexity",
    "chrf",
    "ece_10bin",
    "em_group",
    "exact_match",
    "exact_match_fairness",
    "exact_match_robustness",
    "expected_max_toxicity",
    "f1",
    "f1_macro",
    "f1a",
    "finish_share",
    "gender_parity",
    "gender_representation_tvd",
    "invalid_action_share",
    "judge_pairwise",
    "judge_rubric",
    "likelihood_diff",
    "mcc",
    "pass_at_1",
    "pass_at_10",
    "pass_at_5",
    "pct_stereotype",
    "pearson",
    "recall_at_1",
    "recall_at_10",
    "recall_at_3",
    "recall_at_5",
    "rouge1",
    "rouge1_acc",
    "rouge1_acc_fairness",
    "rouge1_acc_robustness",
    "rouge1_diff",
    "rouge1_fairness",
    "rouge1_max",
    "rouge1_robustness",
    "rouge2",
    "rouge2_acc",
    "rouge2_acc_fairness",
    "rouge2_acc_robustness",
    "rouge2_diff",
    "rouge2_fairness",
    "rouge2_max",
    "rouge2_robustness",
    "rougeL",
    "rougeL_acc",
    "rougeL_acc_fairness",
    "rougeL_acc_robustness",
    "rougeL_diff",
    "rougeL_fairness",
    "rougeL_max",
    "rougeL_max_fairness",
    "rougeL_max_robustness",
    "rougeL_robustness",
    "rougeLsum",
    "rougeLsum_fairness",
    "rougeLsum_robustness",
    "selective_acc@10",
    "selective_cov_acc_area",
    "spearman",
    "steps_used",
    "ter",
    "toxic_fraction",
    "toxicity_probability",
    "word_perplexity",
]


def test_known_metrics_lists_every_builtin_sorted() -> None:
    assert known_metrics() == ALL


@pytest.mark.parametrize("name", ALL)
def test_get_metric_returns_the_metric_with_that_name(name: str) -> None:
    metric = get_metric(name)
    assert isinstance(metric, Metric)
    assert metric.name == name


def test_known_metrics_filters_by_output_type() -> None:
    assert known_metrics("multiple_choice")[:6] == [
        "acc",
        "acc_ambig",
        "acc_bytes",
        "acc_disambig",
        "acc_fairness",
        "acc_norm",
    ]
    assert "mcc" in known_metrics("multiple_choice")
    assert known_metrics("loglikelihood_rolling") == [
        "bits_per_byte",
        "byte_perplexity",
        "word_perplexity",
    ]
    assert "bleu" in known_metrics("generate_until")


def test_unknown_output_type_lists_the_known_ones() -> None:
    with pytest.raises(HarnessError, match="unknown output type 'mc'; known: generate_until"):
        known_metrics("mc")


def test_unknown_metric_names_the_problem_and_the_known_metrics() -> None:
    with pytest.raises(HarnessError) as error:
        get_metric("nope")
    assert str(error.value) == f"unknown metric 'nope'; known: {', '.join(ALL)}"


def test_registering_a_taken_name_is_an_error() -> None:
    with pytest.raises(HarnessError, match="'acc' is already registered"):
        register_metric("acc")(lambda: get_metric("acc"))
    assert known_metrics() == ALL
