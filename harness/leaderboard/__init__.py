"""The leaderboard's data: what the dashboard pages and the static report show.

Pure functions over a :class:`Snapshot` of the store (plus samples for the per-item
views); no Streamlit here, so every number a page shows is tested without a browser.
"""

from harness.leaderboard.export import (
    format_ci,
    leaderboard_csv,
    leaderboard_json,
    leaderboard_records,
)
from harness.leaderboard.flips import (
    FLIP_FILTERS,
    PairedSample,
    binary_metrics,
    choice_probabilities,
    filter_pairs,
    flip_counts,
    flip_of,
    pair_samples,
)
from harness.leaderboard.lineage import (
    EdgeDiff,
    LineageNode,
    compare_edge,
    edge_runs,
    has_edges,
    lineage_forest,
    safe_compare_edge,
)
from harness.leaderboard.snapshot import Snapshot, load_snapshot
from harness.leaderboard.suite_scores import Cell, suite_cell, suite_metrics
from harness.leaderboard.table import (
    SORT_KEYS,
    Column,
    Leaderboard,
    LeaderboardFilter,
    LeaderboardRow,
    RowKey,
    available_columns,
    build_leaderboard,
    default_columns,
    latest_runs,
    sort_rows,
    variant_of,
)
from harness.leaderboard.trajectory import TRAJECTORY_COLUMNS, trajectory_rows
from harness.leaderboard.variants import (
    KNOWN_KINDS,
    VariantInfo,
    format_parameters,
    variant_info,
)
from harness.leaderboard.winrate import mean_win_rates, min_max_normalise, win_rates

__all__ = [
    "FLIP_FILTERS",
    "KNOWN_KINDS",
    "SORT_KEYS",
    "TRAJECTORY_COLUMNS",
    "Cell",
    "Column",
    "EdgeDiff",
    "Leaderboard",
    "LeaderboardFilter",
    "LeaderboardRow",
    "LineageNode",
    "PairedSample",
    "RowKey",
    "Snapshot",
    "VariantInfo",
    "available_columns",
    "binary_metrics",
    "build_leaderboard",
    "choice_probabilities",
    "compare_edge",
    "default_columns",
    "edge_runs",
    "filter_pairs",
    "flip_counts",
    "flip_of",
    "format_ci",
    "format_parameters",
    "has_edges",
    "latest_runs",
    "leaderboard_csv",
    "leaderboard_json",
    "leaderboard_records",
    "lineage_forest",
    "load_snapshot",
    "mean_win_rates",
    "min_max_normalise",
    "pair_samples",
    "safe_compare_edge",
    "sort_rows",
    "suite_cell",
    "suite_metrics",
    "trajectory_rows",
    "variant_info",
    "variant_of",
    "win_rates",
]
