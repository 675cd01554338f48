"""The leaderboard table as header and text cells, shared by the Markdown and HTML reports."""

from __future__ import annotations

from harness.leaderboard import Leaderboard, format_ci, format_parameters
from harness.leaderboard.lineage import EdgeDiff


def _number(value: float | None) -> str:
    return "—" if value is None else f"{value:.3f}"


def leaderboard_cells(board: Leaderboard) -> tuple[list[str], list[list[str]]]:
    """Header and rows: rank, model, kind, size, precision, each column with CI, mean, win rate."""
    header = ["#", "model", "kind", "parameters", "precision"]
    header += [f"{c.label} (95% CI)" for c in board.columns] + ["mean", "win rate"]
    rows = []
    for rank, row in enumerate(board.rows, start=1):
        cells = [
            str(rank),
            row.name,
            row.variant.kind,
            format_parameters(row.variant.n_parameters),
            row.key.dtype,
        ]
        for column in board.columns:
            cell = row.cells.get(column)
            if cell is None:
                cells.append("—")
            else:
                ci = format_ci(cell.ci_low, cell.ci_high)
                cells.append(f"{cell.value:.3f} {ci}".strip())
        cells += [_number(row.mean), _number(row.win_rate)]
        rows.append(cells)
    return header, rows


def diff_text(diff: EdgeDiff) -> str:
    """``acc +0.031 [+0.004, +0.058] (gain)``."""
    return (
        f"{diff.metric} {diff.difference:+.3f} [{diff.ci_low:+.3f}, {diff.ci_high:+.3f}]"
        f" ({diff.status})"
    )
