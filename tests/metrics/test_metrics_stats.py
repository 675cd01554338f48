"""mean_stderr and bootstrap_ci: the uncertainty every metric reports."""

import math

import numpy as np
import pytest

from harness.errors import HarnessError
from harness.metrics import bootstrap_ci, mean_stderr


def test_mean_stderr_is_sample_std_over_root_n() -> None:
    # mean 2.5; squared deviations 2.25 + 0.25 + 0.25 + 2.25 = 5; ddof=1 variance 5/3
    assert mean_stderr([1.0, 2.0, 3.0, 4.0]) == pytest.approx(math.sqrt(5 / 3) / 2, abs=1e-15)


def test_mean_stderr_matches_lm_eval() -> None:
    lm_metrics = pytest.importorskip("lm_eval.api.metrics")
    values = [1.0, 0.0, 1.0, 1.0, 0.0, 1.0, 1.0]
    assert mean_stderr(values) == pytest.approx(lm_metrics.mean_stderr(values), rel=1e-12)


@pytest.mark.parametrize("values", [[], [0.7]])
def test_mean_stderr_is_undefined_below_two_values(values: list[float]) -> None:
    assert mean_stderr(values) is None


def test_bootstrap_ci_resamples_item_indices_from_default_rng() -> None:
    items = np.array([0.0, 1.0, 1.0, 0.0, 1.0])
    rng = np.random.default_rng(7)
    means = [items[rng.integers(0, 5, size=5)].mean() for _ in range(200)]
    expected = tuple(np.percentile(means, [2.5, 97.5]))

    got = bootstrap_ci(items, lambda rows: float(rows.mean()), n_resamples=200, seed=7)

    assert got == pytest.approx(expected, abs=0)


def test_bootstrap_ci_is_deterministic_for_a_seed() -> None:
    items = [0.1, 0.5, 0.9, 0.3, 0.7, 0.2]

    def mean(rows: np.ndarray) -> float:
        return float(rows.mean())

    assert bootstrap_ci(items, mean, seed=3) == bootstrap_ci(items, mean, seed=3)
    assert bootstrap_ci(items, mean, seed=3) != bootstrap_ci(items, mean, seed=4)


def test_bootstrap_ci_narrows_with_lower_confidence() -> None:
    items = [0.1, 0.5, 0.9, 0.3, 0.7, 0.2]

    def mean(rows: np.ndarray) -> float:
        return float(rows.mean())

    low95, high95 = bootstrap_ci(items, mean, confidence=0.95)
    low50, high50 = bootstrap_ci(items, mean, confidence=0.5)
    assert low95 <= low50 <= high50 <= high95


def test_bootstrap_ci_of_constant_items_is_a_point() -> None:
    assert bootstrap_ci([2.0, 2.0, 2.0], lambda rows: float(rows.mean())) == (2.0, 2.0)


def test_bootstrap_ci_passes_rows_of_a_2d_array() -> None:
    rows = np.array([[1.0, 2.0], [3.0, 4.0]])
    assert bootstrap_ci(rows, lambda r: float(r.shape[1]), n_resamples=5) == (2.0, 2.0)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [({"n_resamples": 0}, "n_resamples"), ({"confidence": 1.0}, "confidence")],
)
def test_bootstrap_ci_rejects_bad_settings(kwargs: dict[str, float], message: str) -> None:
    with pytest.raises(HarnessError, match=message):
        bootstrap_ci([1.0, 2.0], lambda r: float(r.mean()), **kwargs)  # type: ignore[arg-type]


def test_bootstrap_ci_rejects_no_items() -> None:
    with pytest.raises(HarnessError, match="empty"):
        bootstrap_ci([], lambda r: float(r.mean()))
