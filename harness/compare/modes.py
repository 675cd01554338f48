"""Modes of one run: tasks that ask the same documents in different ways, paired by document.

PAL's table (answer-only vs chain of thought vs PAL on one BBH subset) and RAG's (closed
book vs retrieved passages vs the gold passage) compare tasks of the same run whose prompts
differ by design, so items pair by document hash, not by prompt hash as runs do in
``compare``. Tasks whose samples hold the same documents form a group; the group's first
task in the run's order is the baseline, and every other task's difference from it gets the
paired interval ``compare`` uses (McNemar / paired Wald for 0/1 metrics, the paired bootstrap
otherwise). Intervals are per comparison, not adjusted for multiplicity.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from harness.compare.paired_stats import (
    PairedEstimate,
    binary_paired_difference,
    bootstrap_mean_difference,
)
from harness.errors import HarnessError
from harness.store import SampleRecord


@dataclass(frozen=True)
class ModeRow:
    """One task of a group: its score on the paired documents and its difference from the
    baseline task (None on the baseline's own row)."""

    task: str
    n: int
    value: float
    estimate: PairedEstimate | None


@dataclass(frozen=True)
class ModeGroup:
    """Tasks over the same documents, the metric compared, baseline first."""

    metric: str
    rows: list[ModeRow]


def _documents(samples: Sequence[SampleRecord]) -> tuple[str, ...]:
    return tuple(sorted(s.doc_hash for s in samples))


def pair_by_document(
    baseline: Sequence[SampleRecord], other: Sequence[SampleRecord]
) -> tuple[list[SampleRecord], list[SampleRecord]]:
    """Samples of two tasks paired by document hash; duplicates pair in doc_id order."""
    waiting: dict[str, list[SampleRecord]] = defaultdict(list)
    for sample in sorted(other, key=lambda s: s.doc_id):
        waiting[sample.doc_hash].append(sample)
    left: list[SampleRecord] = []
    right: list[SampleRecord] = []
    for sample in sorted(baseline, key=lambda s: s.doc_id):
        if waiting.get(sample.doc_hash):
            left.append(sample)
            right.append(waiting[sample.doc_hash].pop(0))
    return left, right


def _estimate(base: np.ndarray, other: np.ndarray) -> PairedEstimate:
    if np.isin(base, (0.0, 1.0)).all() and np.isin(other, (0.0, 1.0)).all():
        return binary_paired_difference(base, other)
    return bootstrap_mean_difference(base, other)


def mode_groups(
    samples_by_task: Mapping[str, Sequence[SampleRecord]], metric: str | None = None
) -> list[ModeGroup]:
    """Groups of tasks (in the mapping's order) over the same documents, each compared with
    its first task on ``metric`` (default: the first metric every task of the group has)."""
    groups: dict[tuple[str, ...], list[str]] = {}
    for task, samples in samples_by_task.items():
        if samples:
            groups.setdefault(_documents(samples), []).append(task)
    out = []
    for tasks in groups.values():
        if len(tasks) < 2:
            continue
        shared = [
            m
            for m in samples_by_task[tasks[0]][0].metrics
            if all(m in s.metrics for t in tasks for s in samples_by_task[t])
        ]
        chosen = metric if metric is not None else (shared[0] if shared else None)
        if chosen is None or chosen not in shared:
            if metric is None:
                continue
            raise HarnessError(
                f"tasks {', '.join(tasks)} do not all have metric '{metric}'; "
                f"shared: {', '.join(shared) or 'none'}"
            )
        baseline = samples_by_task[tasks[0]]
        rows = [
            ModeRow(
                tasks[0],
                len(baseline),
                float(np.mean([s.metrics[chosen] for s in baseline])),
                None,
            )
        ]
        for task in tasks[1:]:
            left, right = pair_by_document(baseline, samples_by_task[task])
            base = np.array([s.metrics[chosen] for s in left], dtype=np.float64)
            other = np.array([s.metrics[chosen] for s in right], dtype=np.float64)
            if len(base) < 2:
                raise HarnessError(
                    f"task '{task}' pairs {len(base)} document(s) with '{tasks[0]}'; "
                    "a paired interval needs at least 2"
                )
            rows.append(ModeRow(task, len(base), float(other.mean()), _estimate(base, other)))
        out.append(ModeGroup(chosen, rows))
    if not out:
        raise HarnessError(
            "no two tasks of this run ask the same documents; run a suite such as pal or rag"
        )
    return out
