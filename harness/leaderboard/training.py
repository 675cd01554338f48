"""Training curves (loss, RL reward, KL) of the recipe run that produced a variant.

A recipe registers its logged curves with the variant (:mod:`harness.registry`), under
``details["training"]``: a curve name mapping to a list of values or of
``{"step": int, "value": float}`` points. ``load_variant`` copies them into the model
record of every run of the variant, so the model record is the fallback when the registry
entry is not at hand. The Training page and the report read only through
:func:`training_curves`.
"""

from __future__ import annotations

import math
from typing import Any

from harness.registry import Variant
from harness.store import ModelRecord


def training_curves(
    model: ModelRecord | None, variant: Variant | None = None
) -> dict[str, list[tuple[int, float]]]:
    """Curve name -> (step, value) points; empty when the model was not trained here.

    The registered ``variant``'s curves win; the model record's are the fallback.
    """
    raw = variant.details.get("training") if variant is not None else None
    if not isinstance(raw, dict) or not raw:
        raw = model.details.get("training") if model is not None else None
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
