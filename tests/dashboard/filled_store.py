"""A results store filled with real runs of three tiny random models, for dashboard tests.

``tiny-base`` is a source model, ``tiny-lora`` records it as its parent (as the variant
registry will), ``tiny-other`` is a second source. Each runs a two-task toy suite (multiple
choice + generation); one gate decision and one training curve are stored as well.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import toy_suite

from harness.models import load_model
from harness.runner import EvalOptions, run_eval
from harness.store import GateDecisionRecord, open_store

APP = Path(__file__).resolve().parents[2] / "dashboard" / "app.py"

MODELS = {
    "tiny-base": (1, {"kind": "base"}),
    "tiny-lora": (2, {"kind": "lora", "recipe": "recipes/lora_sft.yaml"}),
    "tiny-other": (3, {}),
}


@dataclass(frozen=True)
class FilledStore:
    path: Path
    run_ids: dict[str, str]  # model name -> run id
    model_hashes: dict[str, str]


# The shared toy suite with more questions, so the three models' runs differ.
QUESTIONS = [
    ("The sky is", ["blue", "green"], 0),
    ("Grass is", ["blue", "green"], 1),
    ("Snow is", ["white", "black"], 0),
    ("Coal is", ["white", "black"], 1),
    ("Blood is", ["red", "blue"], 0),
    ("The sun is", ["cold", "hot"], 1),
    ("Ice is", ["cold", "hot"], 0),
    ("Night is", ["bright", "dark"], 1),
]


def write_toy_suite(root: Path) -> Path:
    return toy_suite.write_toy_suite(
        root,
        questions=QUESTIONS,
        train=None,
        max_new_tokens=3,
        gen_metrics=("exact_match", "rouge1"),
    )


def fill_store(root: Path) -> FilledStore:
    """Evaluate the three tiny models on the toy suite into ``root/harness.db``."""
    suite = write_toy_suite(root)
    path = root / "harness.db"
    run_ids: dict[str, str] = {}
    hashes: dict[str, str] = {}
    for name, (seed, details) in MODELS.items():
        loaded = load_model(f"tiny-random-llama:seed={seed}")
        loaded.name = name
        extra: dict[str, object] = dict(details)
        if name == "tiny-lora":
            extra["parent"] = hashes["tiny-base"]
            extra["training"] = {"loss": [2.5, 2.0, 1.7, 1.6]}
        loaded.details = {**loaded.details, **extra}
        options = EvalOptions(
            model=loaded.spec,
            suite=str(suite),
            data_dir=str(root / "data"),
            store=path,
            progress=False,
        )
        report = run_eval(options, model=loaded)
        run_ids[name] = report.run_id
        hashes[name] = loaded.weights_hash
    with open_store(path) as store:
        store.add_gate_decision(
            GateDecisionRecord(
                created_at=datetime(2026, 1, 2, tzinfo=UTC),
                baseline_run_id=run_ids["tiny-base"],
                candidate_run_id=run_ids["tiny-lora"],
                suite="toy",
                verdict="inconclusive",
                policy="warn",
                exit_code=0,
                margins={"acc": 0.05},
                comparison={
                    "rows": [
                        {
                            "scope": "task",
                            "name": "toy_mc",
                            "metric": "acc",
                            "n": 8,
                            "baseline": 0.5,
                            "candidate": 0.625,
                            "difference": 0.125,
                            "verdict": "inconclusive",
                            "primary": True,
                        }
                    ],
                    "notes": ["toy decision for the dashboard tests"],
                },
            )
        )
    return FilledStore(path, run_ids, hashes)
