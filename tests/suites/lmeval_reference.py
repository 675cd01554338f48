"""lm-eval's GLUE/SuperGLUE tasks built over our documents, for the parity tests.

lm-eval builds each task from its own YAML over the same documents, rewritten in the Hub's
layout and read from a local JSON file (no Hub).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

LM_EVAL_TASKS = Path(__import__("lm_eval").__file__).parent / "tasks"


def nli_label(label: str) -> int:
    return 0 if label == "entailment" else 1


# our task -> (suite, lm-eval YAML, our doc -> Hub-layout doc)
CASES: dict[str, tuple[str, str, Callable[[dict[str, Any]], dict[str, Any]]]] = {
    "glue_cola": ("glue", "glue/cola/default.yaml", lambda d: {**d, "label": int(d["label"])}),
    "glue_sst2": ("glue", "glue/sst2/default.yaml", lambda d: {**d, "label": int(d["label"])}),
    "glue_mrpc": ("glue", "glue/mrpc/default.yaml", lambda d: {**d, "label": int(d["label"])}),
    "glue_qnli": (
        "glue",
        "glue/qnli/default.yaml",
        lambda d: {**d, "label": nli_label(d["label"])},
    ),
    "glue_rte": ("glue", "glue/rte/default.yaml", lambda d: {**d, "label": nli_label(d["label"])}),
    "glue_wnli": ("glue", "glue/wnli/default.yaml", lambda d: {**d, "label": int(d["label"])}),
    "sglue_boolq": (
        "superglue",
        "super_glue/boolq/default.yaml",
        lambda d: {**d, "label": int(d["label"])},
    ),
    "sglue_cb": (
        "superglue",
        "super_glue/cb/default.yaml",
        lambda d: {**d, "label": ["entailment", "contradiction", "neutral"].index(d["label"])},
    ),
    "sglue_copa": ("superglue", "super_glue/copa/default.yaml", lambda d: d),
    "sglue_rte": (
        "superglue",
        "super_glue/rte/default.yaml",
        lambda d: {**d, "label": nli_label(d["label"])},
    ),
    "sglue_wic": (
        "superglue",
        "super_glue/wic/default.yaml",
        lambda d: {**d, "label": int(d["label"])},
    ),
    "sglue_wsc": (
        "superglue",
        "super_glue/wsc/default.yaml",
        lambda d: {"text": d["text"], **d["target"], "label": int(d["label"])},
    ),
}


def lm_eval_task(
    yaml_name: str,
    docs: list[dict[str, Any]],
    tmp_path: Path,
    overrides: dict[str, Any] | None = None,
) -> Any:
    from lm_eval.api.task import ConfigurableTask
    from lm_eval.tasks._yaml_loader import load_yaml

    tmp_path.mkdir(parents=True, exist_ok=True)
    data = tmp_path / "docs.jsonl"
    data.write_text("".join(json.dumps(d) + "\n" for d in docs))
    config = load_yaml(LM_EVAL_TASKS / yaml_name)
    files = {"train": str(data), "validation": str(data)}
    config.update(dataset_path="json", dataset_name=None, dataset_kwargs={"data_files": files})
    config.update(overrides or {})
    return ConfigurableTask(config=config)
