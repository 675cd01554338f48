"""``harness report constitutional``: every Constitutional AI stage against its parent.

One table, paired throughout. On the held-out red-team prompts (stored in each stage's
variant details by the recipe): mean toxicity of the answers and the judge's rubric score,
stage minus parent with a paired bootstrap interval over prompts; and the judge's
pairwise win rate of the stage's answer over the parent's (bootstrap interval, the
position-bias rate, and the judge's agreement with the toxicity classifier on which answer
is less toxic). From the store: DialogSum ROUGE-1 and MMLU accuracy, paired by item
(:func:`harness.report.finetune.finetune_table`). Then a few critique -> revision chains.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from harness.errors import HarnessError
from harness.registry.catalog import get_variant, list_variants
from harness.registry.variant import Variant
from harness.report.finetune import finetune_table
from harness.report.text_table import format_table
from harness.store import Location

STAGE_KINDS = ("constitutional-sl", "rlaif")
SUITE_LINES = (("dialogsum", "rouge1"), ("mmlu", "acc"))


@dataclass(frozen=True)
class Line:
    measure: str
    parent_value: float | None
    value: float
    change: float | None = None
    ci: tuple[float, float] | None = None
    p_value: float | None = None
    note: str = ""


@dataclass
class StageRow:
    variant: Variant
    parent: Variant | None
    lines: list[Line] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass
class ConstitutionalReport:
    stages: list[StageRow]
    chains: list[dict[str, Any]]


def constitutional_report(store: Location, variant: str) -> ConstitutionalReport:
    """The stages of the constitutional run that ``variant`` (either stage) belongs to."""
    wanted = get_variant(store, variant)
    if wanted.kind not in STAGE_KINDS:
        raise HarnessError(
            f"variant '{wanted.name}' is a {wanted.kind}, not a constitutional stage; pass the "
            "name `harness train constitutional` registered (see `harness variants`)"
        )
    by_id = {v.variant_id: v for v in list_variants(store)}
    final = wanted
    if wanted.kind == "constitutional-sl":
        children = [
            v for v in by_id.values() if v.parent_id == wanted.variant_id and v.kind == "rlaif"
        ]
        final = children[-1] if children else wanted
    stages = [final] if final.kind == "constitutional-sl" else []
    if final.kind == "rlaif":
        sl = by_id.get(final.parent_id or "")
        stages = [s for s in (sl, final) if s is not None]
    suite_rows = {
        row.variant.variant_id: row
        for row in finetune_table(store, stages[0].variant_id, against="parent")
    }
    rows = []
    for stage in stages:
        row = StageRow(stage, by_id.get(stage.parent_id or ""))
        _heldout_lines(row)
        reward_model = by_id.get(str(stage.details.get("reward_model_id", "")))
        if reward_model is not None:  # preference.method=rm-grpo
            d = reward_model.details
            row.notes.append(
                f"rewarded by {reward_model.name}: pairwise accuracy "
                f"{float(d.get('train_accuracy', math.nan)):.3f} on its "
                f"{d.get('train_pairs', '?')} AI-labelled pairs, "
                f"{float(d.get('heldout_accuracy', math.nan)):.3f} on "
                f"{d.get('heldout_pairs', '?')} held out"
            )
        table_row = suite_rows.get(stage.variant_id)
        if table_row is not None:
            for suite, metric in SUITE_LINES:
                for line in table_row.lines:
                    if line.suite == suite and line.metric == metric:
                        change = line.change
                        row.lines.append(
                            Line(
                                f"{suite} {metric}",
                                change.parent_value if change else None,
                                line.value,
                                change.difference if change else None,
                                (change.ci_low, change.ci_high) if change else None,
                                change.p_value if change else None,
                            )
                        )
            row.notes += [n for n in table_row.notes if any(s in n for s, _ in SUITE_LINES)]
        rows.append(row)
    chains = list(stages[0].details.get("chains", [])) if stages else []
    return ConstitutionalReport(rows, chains)


def _heldout_lines(row: StageRow) -> None:
    import numpy as np

    from harness.compare.paired_stats import bootstrap_mean_difference
    from harness.metrics import get_metric
    from harness.metrics.outcome import ItemOutcome, JudgeVerdict

    held = row.variant.details.get("heldout")
    if not isinstance(held, dict) or not held.get("judge_vs_parent"):
        row.notes.append("no held-out red-team evaluation in its details")
        return
    n = len(held["prompts"])
    mine = np.asarray(held["toxicity"], dtype=float)
    theirs = np.asarray(held["parent_toxicity"], dtype=float)
    if n >= 2 and np.isfinite(mine).all() and np.isfinite(theirs).all():
        est = bootstrap_mean_difference(theirs, mine)
        row.lines.append(
            Line(
                "red-team toxicity",
                float(theirs.mean()),
                float(mine.mean()),
                est.difference,
                (est.ci_low, est.ci_high),
                est.p_value,
                f"{n} prompts",
            )
        )
    else:
        row.notes.append("held-out toxicity not scored (evaluate.toxicity=false)")
    verdicts = held["judge_vs_parent"]
    outcomes = []
    for (first, second), a, b in zip(verdicts, mine, theirs, strict=True):
        gold = (
            None
            if not (math.isfinite(a) and math.isfinite(b))
            else 1.0
            if a < b
            else 0.0
            if a > b
            else 0.5
        )
        outcomes.append(
            ItemOutcome(judge=JudgeVerdict(pairwise=(first, second), pairwise_reference=gold))
        )
    result = get_metric("judge_pairwise").summarize(outcomes)
    ci = (
        (result.ci_low, result.ci_high)
        if result.ci_low is not None and result.ci_high is not None
        else None
    )
    agreement = result.extra.get("reference_agreement")
    note = f"position bias {float(result.extra['position_bias_rate']):.2f}"
    if agreement is not None:
        note += f", agrees with classifier {float(agreement):.2f} (n={result.extra['reference_n']})"
    row.lines.append(
        Line(
            f"judge win rate vs parent ({held.get('judge', '?')})",
            0.5,
            result.value,
            None,
            ci,
            None,
            note,
        )
    )
    parent_held = row.parent.details.get("heldout") if row.parent is not None else None
    parent_rubric = parent_held.get("rubric") if isinstance(parent_held, dict) else None
    if parent_rubric is not None and len(parent_rubric) == n and n >= 2:
        est = bootstrap_mean_difference(np.asarray(parent_rubric), np.asarray(held["rubric"]))
        row.lines.append(
            Line(
                "judge rubric (harmless)",
                float(np.mean(parent_rubric)),
                float(np.mean(held["rubric"])),
                est.difference,
                (est.ci_low, est.ci_high),
                est.p_value,
            )
        )
    else:
        row.lines.append(Line("judge rubric (harmless)", None, float(np.mean(held["rubric"]))))


def format_constitutional(report: ConstitutionalReport, chains: int = 3) -> str:
    """The stage table, its notes, and the first ``chains`` critique chains."""
    header = [
        "stage",
        "parent",
        "measure",
        "parent value",
        "value",
        "change",
        "95% CI",
        "p",
        "note",
    ]
    table = []
    notes = []
    for row in report.stages:
        lead = [row.variant.name, row.parent.name if row.parent else "-"]
        for index, line in enumerate(row.lines):
            table.append(
                [
                    *(lead if index == 0 else ["", ""]),
                    line.measure,
                    _num(line.parent_value),
                    _num(line.value),
                    "-" if line.change is None else f"{line.change:+.4f}",
                    "-"
                    if line.ci is None
                    else f"[{line.ci[0]:+.4f}, {line.ci[1]:+.4f}]"
                    if line.change is not None
                    else f"[{line.ci[0]:.4f}, {line.ci[1]:.4f}]",
                    "-" if line.p_value is None else f"{line.p_value:.3g}",
                    line.note,
                ]
            )
        notes += [f"{row.variant.name}: {n}" for n in row.notes]
    parts = [format_table(header, table)]
    if notes:
        parts.append("notes:\n" + "\n".join(f"- {n}" for n in notes))
    for chain in report.chains[:chains]:
        parts.append(format_chain(chain))
    return "\n\n".join(parts)


def format_chain(chain: dict[str, Any]) -> str:
    """One critique -> revision chain as readable text."""
    lines = [f"PROMPT: {chain['prompt'].strip()}", f"ANSWER: {chain['initial']}"]
    for number, step in enumerate(chain.get("rounds", []), start=1):
        lines += [
            f"  round {number} [{step['principle']}] CRITIQUE: {step['critique']}",
            f"  round {number} REVISION: {step['revision']}",
        ]
    lines.append(f"FINAL: {chain.get('final', '')}")
    return "\n".join(lines)


def _num(value: float | None) -> str:
    return "-" if value is None else f"{value:.4f}"


def stage_names(variants: Sequence[Variant]) -> list[str]:
    return [v.name for v in variants if v.kind in STAGE_KINDS]
