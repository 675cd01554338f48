"""Loss against compute: the points of a model-size sweep and their power-law fit.

Compute is estimated as C = 6·N·D (Kaplan et al., 2020): N non-embedding parameters,
D training tokens, 6 FLOPs per parameter per token for the forward and backward pass.
The fit is a straight line in log-log space, L = a·C^b with b < 0 when bigger is better.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class ScalingPoint:
    name: str
    params: int  # non-embedding parameters
    tokens: int
    loss: float  # held-out loss at the end of training

    @property
    def flops(self) -> float:
        return training_flops(self.params, self.tokens)


@dataclass(frozen=True)
class PowerLaw:
    """L = coefficient · C ** exponent, with the fit's R² in log-log space."""

    coefficient: float
    exponent: float
    r_squared: float

    def predict(self, flops: float) -> float:
        return self.coefficient * flops**self.exponent


def training_flops(params: int, tokens: int) -> float:
    """Forward plus backward pass: about 6 FLOPs per parameter per token."""
    return 6.0 * params * tokens


def fit_power_law(points: Sequence[ScalingPoint]) -> PowerLaw:
    """Least-squares line through (log C, log L)."""
    if len(points) < 2:
        raise ValueError("a power-law fit needs at least two points")
    xs = [math.log(p.flops) for p in points]
    ys = [math.log(p.loss) for p in points]
    mean_x, mean_y = sum(xs) / len(xs), sum(ys) / len(ys)
    sxx = sum((x - mean_x) ** 2 for x in xs)
    sxy = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True))
    slope = sxy / sxx
    intercept = mean_y - slope * mean_x
    residual = sum((y - intercept - slope * x) ** 2 for x, y in zip(xs, ys, strict=True))
    total = sum((y - mean_y) ** 2 for y in ys)
    r_squared = 1.0 - residual / total if total > 0 else 1.0
    return PowerLaw(coefficient=math.exp(intercept), exponent=slope, r_squared=r_squared)
