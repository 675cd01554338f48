"""Errors meant for people: one line that names the problem and the fix.

The CLI turns a ``HarnessError`` into that line on stderr and exit code 2; anything else
is a bug and keeps its traceback.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable


class HarnessError(Exception):
    """A user-facing problem (bad input, missing data, unknown name) with its fix in the message."""

    exit_code = 2


def did_you_mean(wrong: str, known: Iterable[str]) -> str:
    """``" (did you mean 'x'?)"`` for the nearest known name, or ``""`` when none is close.

    One helper so every "unknown X" message suggests the same way (difflib's ratio, cutoff
    0.6, as Python's own NameError suggestions feel); append it right after the wrong name.
    """
    names = sorted({str(name) for name in known})
    close = difflib.get_close_matches(wrong, names, n=1, cutoff=0.6)
    if not close:
        lowered = {name.lower(): name for name in names}
        close = [lowered[wrong.lower()]] if wrong.lower() in lowered else []
    return f" (did you mean '{close[0]}'?)" if close else ""


def cause(exc: BaseException) -> str:
    """``"TypeName: message"`` of an exception, so a wrapped error keeps what went wrong."""
    text = str(exc).strip().splitlines()
    first = text[0] if text else ""
    return f"{type(exc).__name__}: {first}" if first else type(exc).__name__
