"""Choosing few-shot examples: the first k of a split, or a seeded sample per document.

The random sampler seeds one generator per document (from the task seed and the doc id),
so a document's examples do not depend on ``--limit`` or on which other documents ran.
"""

from __future__ import annotations

import random

from harness.data.readers import Doc
from harness.errors import HarnessError


def pick_fewshot(
    pool: list[Doc], k: int, *, sampler: str, seed: int, doc_id: int, exclude: Doc | None, task: str
) -> list[Doc]:
    """``k`` examples from ``pool``, never the evaluated doc itself (when pool and test split agree)."""
    if k == 0:
        return []
    candidates = [d for d in pool if d is not exclude] if exclude is not None else pool
    if len(candidates) < k:
        raise HarnessError(
            f"task '{task}': {k} few-shot examples asked for but the few-shot split has {len(candidates)}; "
            "lower --shots"
        )
    if sampler == "first_n":
        return candidates[:k]
    rng = random.Random(f"{seed}:{doc_id}")
    return rng.sample(candidates, k)
