"""Paired comparison of two runs on the same items, and the verdicts a gate rests on.

``compare_runs(store, baseline, candidate, margins=...)`` pairs the runs' items by content
hash and compares every shared metric: McNemar's exact test for 0/1 metrics, a seeded
paired bootstrap (with a sign-flip permutation p-value) for other per-item metrics, and a
paired bootstrap over items for corpus metrics; Holm's correction across the tasks of a
suite; the minimum detectable effect; and a pass / regress / inconclusive verdict against
non-inferiority margins.

Numbers and verdicts only: the comparison as text (the table, the JUnit file) is
:mod:`harness.report`'s, which reads this package, never the other way round.
"""

from harness.compare.comparison import CompareSettings, Comparison, ComparisonRow, compare_paired
from harness.compare.pairing import DEFAULT_MIN_OVERLAP, PairedTask, pair_runs
from harness.compare.reports import json_report, record_decision
from harness.compare.resolve import resolve_run
from harness.compare.runs import compare_runs
from harness.compare.verdict import (
    POLICIES,
    VERDICTS,
    Policy,
    Verdict,
    exit_code,
    parse_margins,
    verdict,
)

__all__ = [
    "DEFAULT_MIN_OVERLAP",
    "POLICIES",
    "VERDICTS",
    "CompareSettings",
    "Comparison",
    "ComparisonRow",
    "PairedTask",
    "Policy",
    "Verdict",
    "compare_paired",
    "compare_runs",
    "exit_code",
    "json_report",
    "pair_runs",
    "parse_margins",
    "record_decision",
    "resolve_run",
    "verdict",
]
