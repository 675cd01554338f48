"""How values that a database column cannot hold as-is become column values, and back.

JSON columns are TEXT written with sorted keys, so equal content gives equal bytes on every
backend (a later PostgreSQL store included). JSON has no NaN or infinity, so a non-finite
float inside a JSON value is written as ``null``. Datetimes are ISO-8601 in UTC with
microseconds, so text order is time order.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import PurePath
from typing import Any


def to_jsonable(value: Any) -> Any:
    """Turn ``value`` into plain JSON types, non-finite floats into ``None``.

    Metric code often hands over numpy or torch scalars and arrays; anything with a
    ``tolist()`` method is converted through it rather than rejected.
    """
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if value is None or isinstance(value, str | int):
        return value
    if isinstance(value, Mapping):
        return {str(key): to_jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [to_jsonable(item) for item in value]
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, PurePath):
        return str(value)
    tolist = getattr(value, "tolist", None)
    if callable(tolist):
        return to_jsonable(tolist())
    raise TypeError(f"cannot store a {type(value).__name__} in a JSON column: {value!r}")


def encode_json(value: Any) -> str:
    """Serialise ``value`` deterministically (sorted keys, compact, strict JSON)."""
    return json.dumps(
        to_jsonable(value),
        sort_keys=True,
        allow_nan=False,
        ensure_ascii=False,
        separators=(",", ":"),
    )


def decode_json(text: str) -> Any:
    """Parse a JSON column back into Python values."""
    return json.loads(text)


def encode_datetime(value: datetime) -> str:
    """Write an aware datetime as fixed-width ISO-8601 UTC, so stored text sorts by time."""
    if value.tzinfo is None:
        raise ValueError(f"refusing to store naive datetime {value.isoformat()}; attach a timezone")
    return value.astimezone(UTC).isoformat(timespec="microseconds")


def decode_datetime(text: str) -> datetime:
    """Read a datetime written by :func:`encode_datetime`."""
    return datetime.fromisoformat(text).astimezone(UTC)


def finite_or_none(value: float | None) -> float | None:
    """Map NaN and infinities to ``None``: an undefined stderr or bound is 'unknown', not a number."""
    if value is None or not math.isfinite(value):
        return None
    return value


def nan_if_none(value: float | None) -> float:
    """Undo the NULL a database makes of NaN, for values that must stay floats."""
    return math.nan if value is None else float(value)
