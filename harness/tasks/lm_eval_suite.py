"""``--lm-eval-tasks boolq,mmlu``: lm-eval task names turned into a suite our runner runs.

The suite is named after the request (``lm-eval:boolq,mmlu``); each lm-eval group with an
``aggregate_metric_list`` becomes an aggregate over its tasks under the group's name
(micro, which is lm-eval's ``weight_by_size: true``, and macro over the tasks); its hash
is the hash of its tasks' hashes, so two runs of the same selection are comparable.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from harness.errors import HarnessError
from harness.hashing import content_hash
from harness.metrics.lm_eval_metrics import NO_FILTER, filtered_metric_name
from harness.tasks.lm_eval_data import load_data_map
from harness.tasks.lm_eval_index import lm_eval_tasks_dir, select_lm_eval_tasks
from harness.tasks.lm_eval_task import LmEvalTask
from harness.tasks.suite import AggregateSpec, Suite, SuiteConfig


def load_lm_eval_suite(
    names: list[str],
    *,
    include: list[str] | None = None,
    data_map: str | None = None,
    data_root: Path | None,
    num_fewshot: int | None = None,
    generation_overrides: dict[str, Any] | None = None,
) -> tuple[Suite, list[LmEvalTask]]:
    """The suite and the loaded tasks that ``names`` select in lm-eval's task folders."""
    if not names:
        raise HarnessError("--lm-eval-tasks needs at least one task, group or tag name")
    folders = [Path(p).expanduser() for p in include or []]
    selection = select_lm_eval_tasks(names, folders)
    mapping = load_data_map(data_map)
    tasks = [
        LmEvalTask(
            source,
            data_root,
            mapping,
            num_fewshot=num_fewshot,
            generation_overrides=generation_overrides,
        )
        for source in selection.tasks
    ]
    aggregates = [
        AggregateSpec(
            metric=filtered_metric_name(str(spec["metric"]), str(filter_name)),
            name=group.name,
            tasks=list(group.tasks),
        )
        for group in selection.groups
        for spec in group.aggregates
        if "metric" in spec
        # lm-eval aggregates one filter pipeline's scores (``filter_list``: a name or names)
        for filter_name in _as_list(spec.get("filter_list", NO_FILTER))
    ]
    config = SuiteConfig(
        suite="lm-eval:" + ",".join(names),
        description="lm-eval task files: " + ", ".join(names),
        tasks=[str(source.path) for source in selection.tasks],
        aggregate=aggregates,
    )
    suite = Suite(
        config=config,
        tasks=[t.config for t in tasks],
        path=lm_eval_tasks_dir() if not folders else folders[0],
        content_hash=content_hash(
            [[t.name, t.task_hash] for t in tasks] + [a.model_dump() for a in aggregates]
        ),
    )
    return suite, tasks


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]
