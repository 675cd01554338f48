"""The printed table of ``harness modes``: each group's tasks against its baseline."""

from __future__ import annotations

from collections.abc import Sequence

from harness.compare.modes import ModeGroup
from harness.report.text_table import format_table


def format_modes(groups: Sequence[ModeGroup]) -> str:
    """One table per group: the task, items paired, its score, and the paired difference
    from the group's first task with its 95% interval and p-value."""
    blocks = []
    for group in groups:
        header = ["task", "n", group.metric, "diff vs " + group.rows[0].task, "95% CI", "p"]
        rows = []
        for row in group.rows:
            e = row.estimate
            rows.append(
                [
                    row.task,
                    str(row.n),
                    f"{row.value:.3f}",
                    "baseline" if e is None else f"{e.difference:+.3f}",
                    "" if e is None else f"[{e.ci_low:+.3f}, {e.ci_high:+.3f}]",
                    "" if e is None else f"{e.p_value:.3f}",
                ]
            )
        blocks.append(format_table(header, rows))
    return "\n\n".join(blocks)
