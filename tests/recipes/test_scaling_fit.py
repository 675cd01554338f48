"""The loss-vs-compute fit, checked on an exact power law and against scipy's regression."""

from __future__ import annotations

import math

import pytest
from scipy.stats import linregress

from harness.training.scaling import ScalingPoint, fit_power_law, training_flops


def test_compute_is_six_flops_per_parameter_per_token() -> None:
    assert training_flops(1_000, 2_000) == 12_000_000
    assert ScalingPoint("a", params=10, tokens=3, loss=1.0).flops == 180


def test_an_exact_power_law_is_recovered() -> None:
    # L = 50 * C^-0.1 at four compute budgets (tokens fixed, params vary).
    points = [
        ScalingPoint(f"m{n}", params=n, tokens=1000, loss=50 * training_flops(n, 1000) ** -0.1)
        for n in (10_000, 40_000, 160_000, 640_000)
    ]
    law = fit_power_law(points)
    assert law.exponent == pytest.approx(-0.1)
    assert law.coefficient == pytest.approx(50)
    assert law.r_squared == pytest.approx(1.0)
    assert law.predict(1e12) == pytest.approx(50 * 1e12**-0.1)


def test_a_noisy_fit_matches_scipy_linregress_in_log_space() -> None:
    params = [26_000, 106_000, 360_000, 850_000]
    losses = [6.1, 5.2, 4.9, 4.3]
    points = [ScalingPoint("m", p, 150_000, loss) for p, loss in zip(params, losses, strict=True)]
    law = fit_power_law(points)
    reference = linregress([math.log(p.flops) for p in points], [math.log(v) for v in losses])
    assert law.exponent == pytest.approx(reference.slope)
    assert math.log(law.coefficient) == pytest.approx(reference.intercept)
    assert law.r_squared == pytest.approx(reference.rvalue**2)


def test_one_point_is_not_a_fit() -> None:
    with pytest.raises(ValueError, match="at least two"):
        fit_power_law([ScalingPoint("a", 1, 1, 1.0)])
