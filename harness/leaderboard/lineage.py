"""The variant tree: source models at the roots, fine-tunes, RLHF and compressed variants below.

Edges come from each variant's parent (see :mod:`harness.leaderboard.variants`); each edge
carries the recipe and, per shared suite, the paired difference of the child's latest run
against the parent's, from :mod:`harness.compare`. Until variants record parents every
model is a root, and the tree is simply the stored models with their runs.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from harness.errors import HarnessError
from harness.leaderboard.snapshot import Snapshot
from harness.leaderboard.table import variant_of
from harness.leaderboard.variants import VariantInfo
from harness.store import RunRecord, Store

EdgeStatus = Literal["gain", "regression", "no significant change"]


@dataclass
class LineageNode:
    """A variant, its runs (newest first) and the variants derived from it."""

    variant: VariantInfo
    runs: list[RunRecord]
    children: list[LineageNode] = field(default_factory=list)

    def walk(self, depth: int = 0) -> list[tuple[int, LineageNode]]:
        """This node and its descendants, depth first, with their depth."""
        out = [(depth, self)]
        for child in self.children:
            out += child.walk(depth + 1)
        return out


@dataclass(frozen=True)
class EdgeDiff:
    """Child minus parent on one metric, on paired items, with its 95% interval."""

    suite: str
    name: str
    metric: str
    parent_value: float
    child_value: float
    difference: float
    ci_low: float
    ci_high: float
    p_value: float
    higher_is_better: bool

    @property
    def status(self) -> EdgeStatus:
        """A gain or regression when the interval excludes zero, otherwise neither."""
        if math.isnan(self.ci_low) or math.isnan(self.ci_high):
            return "no significant change"
        better = self.ci_low > 0 if self.higher_is_better else self.ci_high < 0
        worse = self.ci_high < 0 if self.higher_is_better else self.ci_low > 0
        return "gain" if better else "regression" if worse else "no significant change"


def lineage_forest(snapshot: Snapshot) -> list[LineageNode]:
    """One tree per source model; a variant whose parent is not stored becomes a root."""
    nodes: dict[str, LineageNode] = {}
    for run in snapshot.runs:
        node = nodes.get(run.model_hash)
        if node is None:
            node = nodes[run.model_hash] = LineageNode(variant_of(snapshot, run), [])
        node.runs.append(run)
    roots: list[LineageNode] = []
    for node in nodes.values():
        parent = node.variant.parent_hash
        if parent is not None and parent in nodes and parent != node.variant.model_hash:
            nodes[parent].children.append(node)
        else:
            roots.append(node)
    for node in nodes.values():
        node.children.sort(key=lambda n: n.variant.name)
    return sorted(roots, key=lambda n: n.variant.name)


def has_edges(forest: Sequence[LineageNode]) -> bool:
    """Whether any variant in the forest has a stored parent."""
    return any(root.children for root in forest)


def edge_runs(parent: LineageNode, child: LineageNode) -> list[tuple[RunRecord, RunRecord]]:
    """Per suite both evaluated: the parent's and the child's latest complete runs."""
    latest_parent = _latest_by_suite(parent.runs)
    latest_child = _latest_by_suite(child.runs)
    return [
        (latest_parent[suite], latest_child[suite])
        for suite in sorted(set(latest_parent) & set(latest_child))
    ]


def compare_edge(
    store: Store, parent_run: RunRecord, child_run: RunRecord, metrics: Sequence[str] = ()
) -> list[EdgeDiff]:
    """The primary rows of ``harness.compare`` for child vs parent, on ``metrics`` if given.

    Raises :class:`HarnessError` when the runs share no items to pair.
    """
    from harness.compare import compare_runs  # heavy (scipy); only when an edge is shown

    comparison = compare_runs(store, parent_run, child_run)
    return [
        EdgeDiff(
            suite=parent_run.suite,
            name=row.name,
            metric=row.metric,
            parent_value=row.baseline,
            child_value=row.candidate,
            difference=row.difference,
            ci_low=row.ci_low,
            ci_high=row.ci_high,
            p_value=row.p_holm,
            higher_is_better=row.higher_is_better,
        )
        for row in comparison.rows
        if row.primary and (not metrics or row.metric in metrics)
    ]


def safe_compare_edge(
    store: Store, parent_run: RunRecord, child_run: RunRecord, metrics: Sequence[str] = ()
) -> tuple[list[EdgeDiff], str | None]:
    """:func:`compare_edge`, with a note instead of an exception for pages and reports."""
    try:
        return compare_edge(store, parent_run, child_run, metrics), None
    except HarnessError as exc:
        return [], f"{parent_run.run_id} → {child_run.run_id}: {exc}"


def _latest_by_suite(runs: Sequence[RunRecord]) -> dict[str, RunRecord]:
    latest: dict[str, RunRecord] = {}
    for run in runs:  # newest first
        if run.status == "complete":
            latest.setdefault(run.suite, run)
    return latest
