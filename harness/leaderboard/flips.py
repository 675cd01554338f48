"""Items of two runs side by side, and the ones that flipped between them.

Items are paired by task and document content hash, never by position or doc_id, so two
runs pair only on the very same documents (DESIGN: identity is by content hash). An item
"flips" on a 0/1 metric (``acc``, ``exact_match``) when it is right in one run and wrong
in the other; those are the items worth reading when a score moves.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from harness.store import MultipleChoiceOutputs, SampleOutputs, SampleRecord

# Preferred order when guessing which per-item metric means "correct".
CORRECTNESS_METRICS = ("acc", "exact_match", "acc_norm", "acc_bytes")

Flip = Literal[
    "correct→wrong", "wrong→correct", "both correct", "both wrong", "unpaired", "not scored"
]
FLIP_FILTERS = ("all items", "flipped (either way)", "correct→wrong", "wrong→correct")


@dataclass(frozen=True)
class PairedSample:
    """One item as run A and run B saw it; a side is ``None`` when that run lacks the item."""

    task: str
    doc_hash: str
    a: SampleRecord | None
    b: SampleRecord | None

    @property
    def doc_id(self) -> int:
        side = self.a or self.b
        assert side is not None
        return side.doc_id


def is_correct(sample: SampleRecord | None, metric: str) -> bool | None:
    """Whether the item scored 1 on a 0/1 metric; ``None`` if absent or not 0/1."""
    if sample is None:
        return None
    value = sample.metrics.get(metric)
    if value is None or math.isnan(value) or value not in (0.0, 1.0):
        return None
    return value == 1.0


def binary_metrics(samples: Sequence[SampleRecord]) -> list[str]:
    """Per-item metrics whose values are all 0 or 1, the usual correctness metrics first."""
    seen: dict[str, bool] = {}
    for sample in samples:
        for name, value in sample.metrics.items():
            ok = not math.isnan(value) and value in (0.0, 1.0)
            seen[name] = seen.get(name, True) and ok
    found = [name for name, ok in seen.items() if ok]
    preferred = [m for m in CORRECTNESS_METRICS if m in found]
    return preferred + sorted(m for m in found if m not in preferred)


def pair_samples(
    a: Sequence[SampleRecord], b: Sequence[SampleRecord] | None = None
) -> list[PairedSample]:
    """Pair two runs' samples by (task, doc_hash), in run A's order then B's leftovers."""
    b = b or []
    by_key_b = {(s.task, s.doc_hash): s for s in b}
    pairs = [PairedSample(s.task, s.doc_hash, s, by_key_b.get((s.task, s.doc_hash))) for s in a]
    seen = {(s.task, s.doc_hash) for s in a}
    pairs += [
        PairedSample(s.task, s.doc_hash, None, s) for s in b if (s.task, s.doc_hash) not in seen
    ]
    return pairs


def flip_of(pair: PairedSample, metric: str) -> Flip:
    """How the item's 0/1 ``metric`` changed from run A to run B."""
    if pair.a is None or pair.b is None:
        return "unpaired"
    before, after = is_correct(pair.a, metric), is_correct(pair.b, metric)
    if before is None or after is None:
        return "not scored"
    if before and not after:
        return "correct→wrong"
    if after and not before:
        return "wrong→correct"
    return "both correct" if before else "both wrong"


def filter_pairs(pairs: Sequence[PairedSample], metric: str, which: str) -> list[PairedSample]:
    """The pairs a :data:`FLIP_FILTERS` choice keeps."""
    if which == "all items":
        return list(pairs)
    if which == "flipped (either way)":
        return [p for p in pairs if flip_of(p, metric) in ("correct→wrong", "wrong→correct")]
    if which in ("correct→wrong", "wrong→correct"):
        return [p for p in pairs if flip_of(p, metric) == which]
    raise ValueError(f"unknown flip filter {which!r}; use one of {', '.join(FLIP_FILTERS)}")


def flip_counts(pairs: Sequence[PairedSample], metric: str) -> dict[str, int]:
    """How many pairs fall in each :data:`Flip` category (zeros included)."""
    counts = dict.fromkeys(
        ("correct→wrong", "wrong→correct", "both correct", "both wrong", "unpaired", "not scored"),
        0,
    )
    for pair in pairs:
        counts[flip_of(pair, metric)] += 1
    return counts


def choice_probabilities(outputs: SampleOutputs) -> list[tuple[str, float]] | None:
    """Per-choice probabilities (softmax over the choices' loglikelihoods) of an MC item."""
    if not isinstance(outputs, MultipleChoiceOutputs):
        return None
    choices, logprobs = outputs.choices, outputs.logprobs
    if not choices or not logprobs or len(choices) != len(logprobs):
        return None
    finite = [lp for lp in logprobs if math.isfinite(lp)]  # a null stored log-prob reads as NaN
    if not finite:
        return None
    top = max(finite)
    weights = [math.exp(lp - top) if math.isfinite(lp) else 0.0 for lp in logprobs]
    total = sum(weights)
    return [(c, w / total) for c, w in zip(choices, weights, strict=True)]
