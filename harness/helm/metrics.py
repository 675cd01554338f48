"""Register HELM's metric families with the metric registry (imported on first lookup).

- calibration: ``ece_10bin``, ``selective_acc@10``, ``selective_cov_acc_area``
  (``harness.metrics.calibration``);
- robustness and fairness: ``<metric>_robustness`` and ``<metric>_fairness`` for each
  per-item metric below (worst case per instance over the perturbed copies);
- bias: ``gender_representation_tvd`` (demographic representation in generations).

Toxicity uses the toxicity metrics (``toxic_fraction``, ``expected_max_toxicity``) and
efficiency is measured by the runner (``harness.helm.efficiency``).
"""

from __future__ import annotations

from functools import partial

from harness.helm.perturbations import Family
from harness.helm.representation import GENDER_WORDS, RepresentationTVD
from harness.helm.worst_case import WorstCaseMetric
from harness.metrics import calibration  # noqa: F401  (registers the calibration metrics)
from harness.metrics.base import MeanMetric
from harness.metrics.registry import get_metric, register_metric

# Per-item metrics whose worst case is meaningful: accuracy-type and similarity-type scores.
WORST_CASE_BASES = (
    "acc",
    "acc_norm",
    "exact_match",
    "rouge1",
    "rouge2",
    "rougeL",
    "rougeLsum",
    "bleu_acc",
    "rouge1_acc",
    "rouge2_acc",
    "rougeL_acc",
    "bleu_max",
    "rougeL_max",
)
FAMILIES: tuple[Family, ...] = ("robustness", "fairness")


def _worst_case(base: str, family: Family) -> WorstCaseMetric:
    metric = get_metric(base)
    assert isinstance(metric, MeanMetric), f"{base} has no per-item value"
    return WorstCaseMetric(metric, family)


for _base in WORST_CASE_BASES:
    for _family in FAMILIES:
        register_metric(f"{_base}_{_family}")(partial(_worst_case, _base, _family))

register_metric("gender_representation_tvd")(
    partial(RepresentationTVD, "gender_representation_tvd", GENDER_WORDS)
)
