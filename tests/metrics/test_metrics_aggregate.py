"""macro_average and micro_average across tasks, on hand values."""

import math

import pytest

from harness.errors import HarnessError
from harness.metrics import MetricResult, macro_average, micro_average


def result(
    value: float, stderr: float | None, n: int, name: str = "acc", higher: bool = True
) -> MetricResult:
    return MetricResult(name, value, stderr, None, None, n, higher, {})


def test_macro_average_weighs_each_task_once() -> None:
    avg = macro_average([result(0.5, 0.1, 10), result(0.7, 0.2, 30)])
    assert avg.value == pytest.approx(0.6)
    assert avg.stderr == pytest.approx(math.sqrt(0.1**2 + 0.2**2) / 2)
    assert (avg.ci_low, avg.ci_high) == (None, None)
    assert avg.n == 40
    assert avg.name == "acc"
    assert avg.higher_is_better is True


def test_macro_average_stderr_is_none_if_any_task_lacks_one() -> None:
    assert macro_average([result(0.5, 0.1, 10), result(0.7, None, 1)]).stderr is None


def test_macro_average_of_different_metrics_needs_a_name() -> None:
    mixed = [result(0.5, 0.1, 10), result(0.3, 0.1, 10, name="acc_norm")]
    with pytest.raises(HarnessError, match="pass name="):
        macro_average(mixed)
    assert macro_average(mixed, name="mc").name == "mc"


def test_macro_average_refuses_opposite_directions() -> None:
    with pytest.raises(HarnessError, match="same way"):
        macro_average([result(0.5, 0.1, 10), result(3.0, None, 10, higher=False)], name="x")


def test_macro_average_refuses_no_results() -> None:
    with pytest.raises(HarnessError, match="at least one"):
        macro_average([])


def test_micro_average_pools_items() -> None:
    # tasks of 3 and 1 items: pooled mean 3/4, not the macro mean (2/3 + 1) / 2
    avg = micro_average("acc", [1.0, 0.0, 1.0, 1.0], True)
    assert avg.value == 0.75
    assert avg.stderr == pytest.approx(0.25)  # ddof=1 variance 0.25 -> std 0.5, / sqrt(4)
    assert avg.n == 4
    assert avg.ci_low is not None and avg.ci_high is not None
    assert 0.0 <= avg.ci_low <= 0.75 <= avg.ci_high <= 1.0
    assert avg.extra["aggregation"] == "micro"


def test_micro_average_ci_is_seeded() -> None:
    values = [1.0, 0.0, 1.0, 1.0, 0.0, 0.0, 1.0]
    assert micro_average("acc", values, True, seed=9) == micro_average("acc", values, True, seed=9)
    assert micro_average("acc", values, True, seed=9) != micro_average("acc", values, True, seed=8)
