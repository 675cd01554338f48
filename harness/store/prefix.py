"""Git-style short ids: the one rule for naming a run or a variant by a unique id prefix.

Runs and variants are both looked up by ``substr(id, 1, :length) = :prefix`` with a
limit of one more id than an ambiguity error shows, so the error can say there are more.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

from harness.errors import HarnessError

AMBIGUOUS_SHOWN = 5
"""How many matching ids an ambiguity error names."""

T = TypeVar("T")


def prefix_parameters(prefix: str) -> dict[str, object]:
    """The SQL parameters of a prefix lookup: the prefix, its length and the row limit."""
    return {"prefix": prefix, "length": len(prefix), "limit": AMBIGUOUS_SHOWN + 1}


def only_match(
    wanted: str, matches: Sequence[T], id_of: Callable[[T], str], *, noun: str, hint: str
) -> T | None:
    """The one record ``wanted`` is a prefix of; ``None`` for none; an error naming several.

    ``matches`` come from a lookup with :func:`prefix_parameters`' limit; ``noun`` names
    the id (``run id``) and ``hint`` says how to pick one (``type more characters ...``).
    """
    if len(matches) > 1:
        shown = ", ".join(id_of(match) for match in matches[:AMBIGUOUS_SHOWN])
        more = ", ..." if len(matches) > AMBIGUOUS_SHOWN else ""
        raise HarnessError(
            f"{noun} prefix '{wanted}' is ambiguous: it matches {shown}{more}; {hint}"
        )
    return matches[0] if matches else None
