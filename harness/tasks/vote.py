"""Self-consistency (Wang et al., 2023): the most frequent answer over sampled reasoning paths."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from harness.errors import HarnessError


def majority(answers: Sequence[str]) -> tuple[str, float]:
    """The most frequent answer (the earliest of tied ones) and the share of answers that
    agree with it. Answers are compared after stripping surrounding whitespace."""
    if not answers:
        raise HarnessError("a majority vote needs at least one answer; set repeats: 1 or more")
    stripped = [a.strip() for a in answers]
    counts = Counter(stripped)
    top = max(counts.values())
    winner = next(a for a in stripped if counts[a] == top)
    return winner, top / len(stripped)
