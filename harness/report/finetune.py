"""The fine-tuning table: what each variant of a lineage gained on the task and lost elsewhere.

For every variant below the root, the latest complete run on the summarisation suite
(DialogSum: ROUGE-1/2/L/Lsum) and on the knowledge suite (MMLU accuracy, the forgetting
check) is paired with its baseline's run on the same items by :mod:`harness.compare`, so
each change comes with a paired 95% interval. The baseline is the parent (the issue's
"absolute change vs the parent"), with ``against="root"`` the source model (the course's
"improvement over ORIGINAL"), or any named variant (say the full fine-tune, for "PEFT vs
full fine-tuning"). Runs are matched to variants by weights hash.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from harness.compare.resolve import latest_run
from harness.leaderboard.lineage import EdgeDiff, safe_compare_edge
from harness.registry.catalog import get_variant, list_variants
from harness.registry.lineage import format_count, lineage_members, root_of
from harness.registry.variant import Variant
from harness.report.text_table import format_table
from harness.store import Location, RunRecord, Store, open_store, store_location

SUMMARY_METRICS = ("rouge1", "rouge2", "rougeL", "rougeLsum")
KNOWLEDGE_METRICS = ("acc",)
BASELINES = ("parent", "root")


@dataclass(frozen=True)
class MetricLine:
    """A variant's value on one metric and, when a baseline run pairs with it, the change."""

    suite: str
    metric: str
    value: float
    change: EdgeDiff | None


@dataclass
class FinetuneRow:
    """One variant of the lineage with its metric lines and notes on what is missing."""

    variant: Variant
    depth: int
    baseline: Variant | None
    lines: list[MetricLine] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def finetune_table(
    store: Location,
    variant: str,
    *,
    summary_suite: str = "dialogsum",
    knowledge_suite: str = "mmlu",
    against: str = "parent",
    extra_suites: Sequence[tuple[str, Sequence[str]]] = (),
) -> list[FinetuneRow]:
    """Rows for every variant of ``variant``'s lineage, root first, depth first.

    ``against`` is ``parent``, ``root``, or a variant id or name to compare every row with.
    ``extra_suites`` adds ``(suite, metrics)`` lines (the lifecycle adds toxicity).
    """
    fixed = None if against in BASELINES else get_variant(store, against)
    wanted = get_variant(store, variant)
    variants = list_variants(store)
    root = root_of(variants, wanted.variant_id)
    by_id = {v.variant_id: v for v in variants}
    suites = (
        (summary_suite, SUMMARY_METRICS),
        (knowledge_suite, KNOWLEDGE_METRICS),
        *extra_suites,
    )
    rows: list[FinetuneRow] = []
    with open_store(store_location(store)) as opened:
        runs = opened.list_runs()  # newest first
        for depth, member in lineage_members(variants, root.variant_id):
            baseline = _baseline(member, against, root, fixed, by_id)
            row = FinetuneRow(member, depth, baseline)
            for suite, metrics in suites:
                _fill(opened, runs, row, suite, metrics)
            rows.append(row)
    return rows


def _baseline(
    member: Variant,
    against: str,
    root: Variant,
    fixed: Variant | None,
    by_id: dict[str, Variant],
) -> Variant | None:
    """What ``member`` is compared with: its parent, the root, or one named variant."""
    if fixed is not None:
        return None if member.variant_id == fixed.variant_id else fixed
    if member.parent_id is None:
        return None
    return root if against == "root" else by_id.get(member.parent_id)


def _fill(
    store: Store,
    runs: Sequence[RunRecord],
    row: FinetuneRow,
    suite: str,
    metrics: Sequence[str],
) -> None:
    own = latest_run(runs, row.variant.weights_hash, suite)
    if own is None:
        row.notes.append(
            f"no complete {suite} run (harness eval --model {row.variant.name} --suite {suite})"
        )
        return
    changes: dict[str, EdgeDiff] = {}
    if row.baseline is not None:
        base = latest_run(runs, row.baseline.weights_hash, suite, like=own)
        if base is None:
            row.notes.append(f"baseline {row.baseline.name} has no complete {suite} run")
        else:
            diffs, note = safe_compare_edge(store, base, own, metrics)
            changes = {d.metric: d for d in diffs}
            if note:
                row.notes.append(note)
    values = _pooled_values(store, own, metrics)
    for metric in metrics:
        if metric in changes:
            row.lines.append(
                MetricLine(suite, metric, changes[metric].child_value, changes[metric])
            )
        elif metric in values:
            row.lines.append(MetricLine(suite, metric, values[metric], None))


def _pooled_values(store: Store, run: RunRecord, metrics: Sequence[str]) -> dict[str, float]:
    """Per metric, the item-weighted mean of the task scores: the pooled value over the suite."""
    totals: dict[str, tuple[float, int]] = {}
    for score in store.get_scores(run.run_id, scope="task"):
        if score.metric in metrics and not math.isnan(score.value) and score.n > 0:
            weighted, n = totals.get(score.metric, (0.0, 0))
            totals[score.metric] = (weighted + score.value * score.n, n + score.n)
    return {metric: weighted / n for metric, (weighted, n) in totals.items()}


def format_finetune_table(rows: Sequence[FinetuneRow], against: str = "parent") -> str:
    """One line per variant and metric: value, change vs baseline with its 95% CI."""
    header = [
        "variant",
        "kind",
        "trainable",
        "train time",
        "suite",
        "metric",
        "value",
        f"change vs {against}",
        "95% CI",
        "p",
    ]
    table: list[list[str]] = []
    notes: list[str] = []
    for row in rows:
        variant = row.variant
        share = 100 * variant.trainable_params / max(variant.total_params, 1)
        facts = [
            "  " * row.depth + variant.name,
            variant.kind,
            f"{format_count(variant.trainable_params)} ({share:.2f}%)",
            f"{variant.training_seconds:.1f}s" if variant.training_seconds is not None else "-",
        ]
        if not row.lines:
            table.append([*facts, "-", "-", "-", "-", "-", "-"])
        for index, line in enumerate(row.lines):
            lead = facts if index == 0 else [""] * len(facts)
            table.append([*lead, line.suite, line.metric, f"{line.value:.4f}", *_change(line)])
        notes += [f"{variant.name}: {note}" for note in row.notes]
    text = format_table(header, table)
    if notes:
        text += "\n\nnotes:\n" + "\n".join(f"- {note}" for note in notes)
    return text


def _change(line: MetricLine) -> list[str]:
    change = line.change
    if change is None:
        return ["-", "-", "-"]
    return [
        f"{change.difference:+.4f}",
        f"[{change.ci_low:+.4f}, {change.ci_high:+.4f}]",
        f"{change.p_value:.3g}",
    ]
