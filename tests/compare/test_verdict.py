"""Verdicts against non-inferiority margins, margin parsing and exit codes."""

from __future__ import annotations

import pytest

from harness.compare.verdict import exit_code, margin_for, overall, parse_margins, verdict
from harness.errors import HarnessError


def test_an_interval_wholly_below_minus_margin_is_a_regression() -> None:
    assert verdict(-0.08, -0.02, margin=0.01, higher_is_better=True) == "regress"


def test_an_interval_wholly_above_minus_margin_passes() -> None:
    assert verdict(-0.005, 0.03, margin=0.01, higher_is_better=True) == "pass"


def test_an_interval_straddling_minus_margin_is_inconclusive() -> None:
    assert verdict(-0.03, 0.02, margin=0.01, higher_is_better=True) == "inconclusive"


def test_for_lower_is_better_metrics_an_increase_is_the_regression() -> None:
    assert verdict(0.2, 0.5, margin=0.1, higher_is_better=False) == "regress"
    assert verdict(-0.5, 0.05, margin=0.1, higher_is_better=False) == "pass"


def test_a_zero_width_interval_at_zero_passes_a_zero_margin() -> None:
    assert verdict(0.0, 0.0, margin=0.0, higher_is_better=True) == "pass"


def test_overall_verdict_is_the_worst_of_its_rows() -> None:
    assert overall(["pass", "inconclusive", "pass"]) == "inconclusive"
    assert overall(["inconclusive", "regress"]) == "regress"
    assert overall(["pass"]) == "pass"


@pytest.mark.parametrize(
    ("result", "policy", "code"),
    [
        ("pass", "fail-on-inconclusive", 0),
        ("regress", "warn", 1),
        ("inconclusive", "fail-on-inconclusive", 3),
        ("inconclusive", "warn", 0),
    ],
)
def test_exit_codes(result: str, policy: str, code: int) -> None:
    assert exit_code(result, policy) == code  # type: ignore[arg-type]


def test_parse_margins_reads_metric_and_scoped_keys() -> None:
    assert parse_margins(["acc=0.01", "mmlu.acc_norm=0.02"]) == {
        "acc": 0.01,
        "mmlu.acc_norm": 0.02,
    }


@pytest.mark.parametrize("bad", ["acc", "acc=", "=0.1", "acc=high"])
def test_parse_margins_rejects_malformed_entries(bad: str) -> None:
    with pytest.raises(HarnessError, match="METRIC=VALUE"):
        parse_margins([bad])


def test_the_most_specific_margin_wins() -> None:
    margins = {"acc": 0.05, "mmlu.acc": 0.01}
    assert margin_for(margins, "mmlu", "acc") == (0.01, "mmlu.acc")
    assert margin_for(margins, "mmlu_anatomy", "acc") == (0.05, "acc")
    assert margin_for(margins, "mmlu", "rouge1") == (0.0, None)
