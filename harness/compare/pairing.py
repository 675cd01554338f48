"""Match the items of two runs, refusing comparisons that would not be like for like.

Identity is by content hash: an item of the baseline pairs with an item of the candidate
only when the task name, the document hash and the prompt hash all match (so a changed
prompt, few-shot setting or chat template is a different item). Duplicated items pair in
order of doc_id.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from harness.errors import HarnessError
from harness.store import SampleRecord

# Below this share of paired items the two runs measure different things.
DEFAULT_MIN_OVERLAP = 0.8
MIN_PAIRED_ITEMS = 2


@dataclass(frozen=True)
class PairedTask:
    """The items one task has in both runs, in the same order on both sides."""

    task: str
    baseline: list[SampleRecord]
    candidate: list[SampleRecord]
    n_baseline: int
    n_candidate: int

    @property
    def overlap(self) -> float:
        """Paired items as a share of the larger run's items."""
        return len(self.baseline) / max(self.n_baseline, self.n_candidate, 1)


def pair_task(
    task: str, baseline: Sequence[SampleRecord], candidate: Sequence[SampleRecord]
) -> PairedTask:
    """Pair one task's samples by (doc_hash, prompt_hash), duplicates in doc_id order."""
    waiting: dict[tuple[str, str], list[SampleRecord]] = defaultdict(list)
    for sample in sorted(candidate, key=lambda s: s.doc_id):
        waiting[(sample.doc_hash, sample.prompt_hash)].append(sample)
    base_side: list[SampleRecord] = []
    cand_side: list[SampleRecord] = []
    for sample in sorted(baseline, key=lambda s: s.doc_id):
        matches = waiting.get((sample.doc_hash, sample.prompt_hash))
        if matches:
            base_side.append(sample)
            cand_side.append(matches.pop(0))
    return PairedTask(task, base_side, cand_side, len(baseline), len(candidate))


def pair_runs(
    baseline_id: str,
    baseline: Sequence[SampleRecord],
    candidate_id: str,
    candidate: Sequence[SampleRecord],
    *,
    min_overlap: float = DEFAULT_MIN_OVERLAP,
) -> tuple[list[PairedTask], list[str]]:
    """Pair every task the two runs share; also return notes about what was left out.

    Refuses (``HarnessError``) when the runs share no task, or when a shared task pairs
    fewer than ``min_overlap`` of its items, or fewer than two items in all (a single
    task needs two of its own): such a comparison would report a difference between
    different questions, or between two numbers, not between models.
    """
    by_task_base = _by_task(baseline)
    by_task_cand = _by_task(candidate)
    shared = sorted(set(by_task_base) & set(by_task_cand))
    if not shared:
        raise HarnessError(
            f"runs {baseline_id} ({_names(by_task_base)}) and {candidate_id} "
            f"({_names(by_task_cand)}) share no task; compare two runs of the same suite and tasks"
        )
    notes = [
        f"task {task} is only in the {side} run; left out"
        for side, mine, other in (
            ("baseline", by_task_base, by_task_cand),
            ("candidate", by_task_cand, by_task_base),
        )
        for task in sorted(set(mine) - set(other))
    ]
    paired = [pair_task(task, by_task_base[task], by_task_cand[task]) for task in shared]
    total = sum(len(task.baseline) for task in paired)
    for task in paired:
        n = len(task.baseline)
        # One item per task is enough when the tasks pool into a suite-level comparison
        # (a one-prompt-per-group toxicity slice); a lone task needs two.
        too_few = n < MIN_PAIRED_ITEMS and (len(paired) == 1 or total < MIN_PAIRED_ITEMS)
        if too_few or n == 0 or task.overlap < min_overlap:
            raise HarnessError(
                f"task {task.task}: only {n} of {max(task.n_baseline, task.n_candidate)} items "
                f"have the same document and prompt in runs {baseline_id} and {candidate_id} "
                f"(overlap {task.overlap:.0%}, need {min_overlap:.0%}); compare runs made with "
                "the same --limit, --shots, --chat and data, or lower --min-overlap"
            )
        if n < max(task.n_baseline, task.n_candidate):
            notes.append(
                f"task {task.task}: {n} of {max(task.n_baseline, task.n_candidate)} items paired"
            )
    return paired, notes


def _by_task(samples: Sequence[SampleRecord]) -> dict[str, list[SampleRecord]]:
    grouped: dict[str, list[SampleRecord]] = defaultdict(list)
    for sample in samples:
        grouped[sample.task].append(sample)
    return dict(grouped)


def _names(by_task: dict[str, list[SampleRecord]], shown: int = 3) -> str:
    names = sorted(by_task)
    if not names:
        return "no tasks"
    more = f", ... {len(names)} tasks" if len(names) > shown else ""
    return ", ".join(names[:shown]) + more
