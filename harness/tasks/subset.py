"""Which documents ``--limit`` runs: the first N, or a seeded sample stratified by a label.

A stratified sample keeps each stratum's share of the dataset (largest-remainder rounding,
ties broken by the seeded generator), so ten GLUE items are not ten of one label; where
every document is its own stratum (free-form BBH targets) it is a plain seeded sample. Indices come back sorted and are the dataset's own, so two runs with the same
limit and seed score the same documents and stay comparable item by item.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence


def first_n(n_docs: int, limit: int | None) -> list[int]:
    """The first ``limit`` indices (all when None)."""
    return list(range(n_docs if limit is None else min(limit, n_docs)))


def stratified_sample(strata: Sequence[str], limit: int | None, seed: int) -> list[int]:
    """``limit`` indices drawn per stratum in proportion to its size; all when limit >= len."""
    if limit is None or limit >= len(strata):
        return list(range(len(strata)))
    members: dict[str, list[int]] = {}
    for index, value in enumerate(strata):
        members.setdefault(value, []).append(index)
    names = sorted(members)
    quotas = {name: limit * len(members[name]) / len(strata) for name in names}
    counts = {name: math.floor(quotas[name]) for name in names}
    left = limit - sum(counts.values())
    rng = random.Random(seed)
    shuffled = rng.sample(names, len(names))
    # sorted() is stable, so strata with equal remainders keep their shuffled order.
    by_remainder = sorted(shuffled, key=lambda n: -(quotas[n] - counts[n]))
    for name in by_remainder[:left]:
        counts[name] += 1
    chosen = [i for name in names for i in rng.sample(members[name], counts[name])]
    return sorted(chosen)
