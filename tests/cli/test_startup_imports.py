"""Start-up stays fast: heavy libraries load only when the work that needs them starts.

``harness --help`` (and every command's argument parsing) must not import torch or
transformers (~3.5 s together here); scoring code must not pull in scipy, nltk (via
rouge_score) or sacrebleu (~1.3 s together) before a metric that uses them runs. Each
check runs in a fresh interpreter, since this test process has imported everything.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest


def _modules_after(code: str) -> set[str]:
    """Top-level module names loaded by a fresh interpreter after running ``code``."""
    probe = f"{code}\nimport json, sys\nprint(json.dumps(sorted({{m.split('.')[0] for m in sys.modules}})))"
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout
    return set(json.loads(out.strip().splitlines()[-1]))


@pytest.mark.parametrize(
    "heavy", ["torch", "transformers", "scipy", "nltk", "sacrebleu", "peft", "ray"]
)
def test_parsing_every_command_imports_no_heavy_library(heavy: str) -> None:
    loaded = _modules_after("from harness.cli.main import build_parser\nbuild_parser()")
    assert heavy not in loaded


@pytest.mark.parametrize("heavy", ["scipy", "nltk", "rouge_score", "sacrebleu", "sklearn"])
def test_metrics_and_tasks_load_their_libraries_only_when_used(heavy: str) -> None:
    loaded = _modules_after("import harness.metrics, harness.tasks, harness.runner")
    assert heavy not in loaded
