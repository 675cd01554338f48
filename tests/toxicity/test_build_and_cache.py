"""A real (tiny) training run learns, is cached by content, and loads back identically."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from toxicity_examples import TINY_CONFIG, separable_dataset

from harness.errors import HarnessError
from harness.toxicity import BuildResult, build_classifier, load_from_folder
from harness.toxicity.build import WEIGHTS_FILE, cache_folder


def test_tiny_training_run_beats_chance_on_held_out_sentences(tiny_build: BuildResult) -> None:
    info = tiny_build.info
    assert tiny_build.trained
    assert info.n_heldout >= 8 and info.n_train + info.n_heldout == 48
    # Half the held-out sentences are toxic: always answering "toxic" gives F1 about 0.67.
    assert info.metrics["f1"] > 0.85
    assert info.metrics["roc_auc"] > 0.9


def test_entry_lives_under_harness_home_named_by_its_hash(
    tiny_build: BuildResult, toxicity_home: Path
) -> None:
    folder = tiny_build.folder
    assert folder.parent == toxicity_home / "classifiers"
    assert folder.name == f"toxicity-{tiny_build.info.hash[:16]}"
    assert sorted(p.name for p in folder.iterdir()) == ["info.json", WEIGHTS_FILE]


def test_second_build_is_a_cache_hit_without_retraining(
    tiny_build: BuildResult, toxicity_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HARNESS_HOME", str(toxicity_home))
    weights = tiny_build.folder / WEIGHTS_FILE
    before = os.stat(weights).st_mtime_ns
    again = build_classifier(TINY_CONFIG, dataset=separable_dataset(), progress=False)
    assert not again.trained
    assert again.info == tiny_build.info
    assert os.stat(weights).st_mtime_ns == before


def test_a_changed_config_gets_its_own_entry(
    tiny_build: BuildResult, toxicity_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HARNESS_HOME", str(toxicity_home))
    other = TINY_CONFIG.model_copy(update={"train_seed": 7})
    from harness.toxicity.build import classifier_key
    from harness.toxicity.encoder import encoder_folder, encoder_hash

    key = classifier_key(other, separable_dataset().data_hash, encoder_hash(encoder_folder()))
    assert key != tiny_build.info.hash
    assert cache_folder(key) != tiny_build.folder


def test_loaded_classifier_scores_like_the_built_one(tiny_build: BuildResult) -> None:
    classifier = load_from_folder(tiny_build.folder)
    scores = classifier.score(["you are a worthless moron, shut up", "what a lovely sunny day", ""])
    assert scores[0] > 0.5 > scores[1]
    assert scores[2] == 0.0  # nothing said, nothing toxic
    assert classifier.info == tiny_build.info
    probabilities = classifier.probabilities(["what a lovely sunny day"])
    assert probabilities.shape == (1, 3) and probabilities.sum() == pytest.approx(1.0)


def test_a_folder_that_is_not_an_entry_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(HarnessError, match="harness models build toxicity"):
        load_from_folder(tmp_path)


def test_without_training_data_a_cached_build_of_the_same_config_is_used(
    tiny_build: BuildResult, toxicity_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from harness.toxicity import load_classifier

    monkeypatch.setenv("HARNESS_HOME", str(toxicity_home))
    monkeypatch.setenv("HARNESS_DATA_DIR", str(tmp_path))  # exists, holds no data
    assert load_classifier(TINY_CONFIG).info == tiny_build.info
    with pytest.raises(HarnessError, match="training data is missing"):
        load_classifier(TINY_CONFIG.model_copy(update={"train_seed": 99}))
