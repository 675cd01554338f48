"""What a report says, independent of its format: the leaderboard, its charts, the lineage."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from harness.leaderboard import (
    EdgeDiff,
    Leaderboard,
    LineageNode,
    build_leaderboard,
    edge_runs,
    has_edges,
    lineage_forest,
    load_snapshot,
    safe_compare_edge,
)
from harness.report.svg import Bar, bar_chart
from harness.store import Store


@dataclass(frozen=True)
class Edge:
    """Parent -> child with its recipe and, per shared suite, the paired differences."""

    parent: str
    child: str
    recipe: str | None
    suite: str
    diffs: list[EdgeDiff]
    note: str | None


@dataclass(frozen=True)
class Chart:
    """One chart: a title for the text and its SVG."""

    title: str
    svg: str


@dataclass(frozen=True)
class ReportContent:
    """Everything a Markdown or HTML report renders."""

    store: str
    created_at: datetime
    board: Leaderboard
    charts: list[Chart]
    forest: list[LineageNode]
    edges: list[Edge] = field(default_factory=list)
    n_runs: int = 0


def build_report(store: Store) -> ReportContent:
    """Read the store and assemble the leaderboard (headline columns), charts and lineage."""
    snapshot = load_snapshot(store)
    board = build_leaderboard(snapshot)
    charts = [
        Chart(
            title=column.label,
            svg=bar_chart(
                [
                    Bar(f"{row.name} ({row.key.dtype})", cell.value, cell.ci_low, cell.ci_high)
                    for row in board.rows
                    if (cell := row.cells.get(column)) is not None
                ],
                f"{column.label} (95% CI)",
            ),
        )
        for column in board.columns
    ]
    forest = lineage_forest(snapshot)
    edges: list[Edge] = []
    if has_edges(forest):
        for root in forest:
            for _, node in root.walk():
                for child in node.children:
                    for parent_run, child_run in edge_runs(node, child):
                        diffs, note = safe_compare_edge(store, parent_run, child_run)
                        edges.append(
                            Edge(
                                parent=node.variant.name,
                                child=child.variant.name,
                                recipe=child.variant.recipe,
                                suite=parent_run.suite,
                                diffs=diffs,
                                note=note,
                            )
                        )
    return ReportContent(
        store=str(store.location),
        created_at=datetime.now(UTC),
        board=board,
        charts=charts,
        forest=forest,
        edges=edges,
        n_runs=len(snapshot.runs),
    )
