"""Variant identity: hashes follow config and data, and a killed run resumes to the same weights."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from tiny_training import losses, train_tiny
from transformers import TrainerCallback

from harness.registry import list_variants
from harness.training.callbacks import StopAfterSave


class StepRecorder(TrainerCallback):
    def __init__(self) -> None:
        self.seen: list[int] = []

    def on_step_end(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        self.seen.append(state.global_step)


def test_same_config_and_data_give_the_same_hashes(lab: Path, tmp_path: Path) -> None:
    first = train_tiny("lora", lab, "name=tiny-a")
    again = train_tiny("lora", tmp_path / "other.db", "name=tiny-a")
    assert (first.config_hash, first.data_hash, first.weights_hash) == (
        again.config_hash,
        again.data_hash,
        again.weights_hash,
    )


def test_a_config_change_changes_the_config_hash_only(lab: Path) -> None:
    base = train_tiny("lora", lab, "name=tiny-base")
    other_lr = train_tiny("lora", lab, "name=tiny-lr", "train.learning_rate=5e-3")
    repeated = train_tiny("lora", lab, "name=tiny-lr", "train.learning_rate=5e-3")
    assert repeated.variant_id == other_lr.variant_id  # same config again: nothing retrained
    assert other_lr.config_hash != base.config_hash
    assert other_lr.data_hash == base.data_hash
    assert other_lr.weights_hash != base.weights_hash


def test_a_data_change_changes_the_data_hash_only(
    lab: Path, tmp_path: Path, shared_data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    train_file = tmp_path / "data" / "dialogsum" / "dialogsum.train.jsonl"
    train_file.parent.mkdir(parents=True)
    with (shared_data / "dialogsum" / "dialogsum.train.jsonl").open() as source:
        rows = [json.loads(next(source)) for _ in range(20)]
    monkeypatch.setenv("HARNESS_DATA_DIR", str(tmp_path / "data"))

    train_file.write_text("".join(json.dumps(r) + "\n" for r in rows))
    original = train_tiny("lora", lab, "name=tiny-original")
    edited_rows = [{**r, "summary": r["summary"] + " They agree."} for r in rows]
    train_file.write_text("".join(json.dumps(r) + "\n" for r in edited_rows))
    edited = train_tiny("lora", lab, "name=tiny-edited")

    assert edited.config_hash == original.config_hash
    assert edited.data_hash != original.data_hash
    assert edited.weights_hash != original.weights_hash


def test_a_killed_run_resumes_to_the_uninterrupted_weights(lab: Path, tmp_path: Path) -> None:
    uninterrupted = train_tiny("sft-full", tmp_path / "whole.db", "name=tiny-whole")

    with pytest.raises(KeyboardInterrupt):
        train_tiny("sft-full", lab, "name=tiny-killed", callbacks=[StopAfterSave(2)])
    assert all(v.name != "tiny-killed" for v in list_variants(lab))  # nothing half-registered
    steps = StepRecorder()
    resumed = train_tiny("sft-full", lab, "name=tiny-killed", callbacks=[steps])

    assert steps.seen == [3, 4]  # it went on from the checkpoint at step 2
    assert resumed.weights_hash == uninterrupted.weights_hash
    assert losses(resumed) == losses(uninterrupted)  # the curve survives the restart
