"""Training curves (loss, RL reward, KL) of the recipe run that produced a variant.

Recipes do not exist yet; the contract proposed here is that a recipe stores its logged
curves in the variant's model record, ``details["training"]`` mapping a curve name to a
list of values or of ``{"step": int, "value": float}`` points. The Training page and the
report read only through :func:`training_curves`, so a later registry table changes this
module alone.
"""

from __future__ import annotations

import math
from typing import Any

from harness.store import ModelRecord


def training_curves(model: ModelRecord) -> dict[str, list[tuple[int, float]]]:
    """Curve name -> (step, value) points; empty when the model was not trained here."""
    raw = model.details.get("training")
    if not isinstance(raw, dict):
        return {}
    curves: dict[str, list[tuple[int, float]]] = {}
    for name, points in raw.items():
        if isinstance(points, list):
            parsed = [_point(i, p) for i, p in enumerate(points)]
            curves[str(name)] = [p for p in parsed if p is not None]
    return {name: points for name, points in curves.items() if points}


def _point(index: int, point: Any) -> tuple[int, float] | None:
    if isinstance(point, dict):
        step, value = point.get("step", index), point.get("value")
    else:
        step, value = index, point
    if not isinstance(value, int | float) or not math.isfinite(value):
        return None
    return int(step), float(value)
