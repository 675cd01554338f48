"""lm-eval's own ConfigurableTask over the same local data as our LmEvalTask, for parity tests.

Our task reads lm-eval's YAML with our loader and its data through the data map. The
reference reads the same YAML with lm-eval's loader and gets the same Hub-layout rows from
a JSON file (lm-eval's ``dataset_path: json`` route), so any difference in prompts,
few-shot draws, targets or filters is ours.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from harness.tasks.lm_eval_data import load_data_map, load_lm_eval_dataset
from harness.tasks.lm_eval_index import select_lm_eval_tasks
from harness.tasks.lm_eval_task import LmEvalTask


def our_task(name: str, data_root: Path, *, shots: int | None = None, **kwargs: Any) -> LmEvalTask:
    (source,) = select_lm_eval_tasks([name]).tasks
    return LmEvalTask(source, data_root, load_data_map(), num_fewshot=shots, **kwargs)


def reference_task(
    task: LmEvalTask,
    data_root: Path,
    tmp_path: Path,
    *,
    shots: int,
    overrides: dict[str, Any] | None = None,
) -> Any:
    """lm-eval's ConfigurableTask for ``task``'s YAML over the rows our task read."""
    from lm_eval.api.task import ConfigurableTask
    from lm_eval.tasks._yaml_loader import load_yaml

    raw = task.raw
    splits = [
        s
        for s in dict.fromkeys(
            [
                raw.get("training_split"),
                raw.get("validation_split"),
                raw.get("test_split"),
                raw.get("fewshot_split"),
                (raw.get("fewshot_config") or {}).get("split"),
            ]
        )
        if s is not None
    ]
    available = set(
        load_data_map().copy_for(raw["dataset_path"], raw.get("dataset_name")).dataset.splits
    )  # type: ignore[union-attr]
    splits = [s for s in splits if s in available]
    loaded = load_lm_eval_dataset(
        raw["dataset_path"],
        raw.get("dataset_name"),
        {},
        splits,
        data_root=data_root,
        data_map=load_data_map(),
        task=task.name,
    )
    tmp_path.mkdir(parents=True, exist_ok=True)
    files = {}
    for split, dataset in loaded.splits.items():
        path = tmp_path / f"{split}.jsonl"
        path.write_text("".join(json.dumps(row) + "\n" for row in dataset))
        files[split] = str(path)
    config = load_yaml(task.source.path)
    config.update(overrides or {})
    for key in ("training_split", "validation_split", "test_split"):
        if config.get(key) not in (None, *files):
            config[key] = None  # a split with no local copy (BoolQ's full train)
    config.update(
        dataset_path="json",
        dataset_name=None,
        dataset_kwargs={"data_files": files},
        num_fewshot=shots,
    )
    reference = ConfigurableTask(config=config)
    reference.set_fewshot_seed(1234)
    return reference


def reference_requests(reference: Any, n_docs: int, shots: int) -> list[list[tuple[Any, ...]]]:
    """lm-eval's request arguments for its first ``n_docs`` documents, built in order."""
    out = []
    for _, doc in zip(range(n_docs), reference.eval_docs, strict=False):
        context = reference.fewshot_context(doc, shots)
        instances = reference.construct_requests(doc, context)
        if not isinstance(instances, list):
            instances = [instances]
        out.append([i.arguments for i in instances])
    return out
