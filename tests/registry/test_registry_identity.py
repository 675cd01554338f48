"""Variant identity: ids from weights, config and data hashes that move only with content."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from harness.errors import HarnessError
from harness.registry import (
    config_hash,
    get_variant,
    new_variant,
    register_variant,
    training_data_hash,
    variant_id_for,
)

CONFIG = {"recipe": "lora", "lora": {"rank": 8, "alpha": 16}, "lr": 0.0002, "targets": ["q", "v"]}


def _variant(config: object, data: list[dict[str, str]], weights: str = "ab" * 32, **kw):  # type: ignore[no-untyped-def]
    fields = {
        "name": "v",
        "kind": "lora",
        "parent_id": None,
        "path": None,
        "recipe": "lora",
        "config": config,
        "data_hash": training_data_hash(data),
        "weights_hash": weights,
        "total_params": 10,
        "trainable_params": 2,
        "training_seconds": 1.0,
        "final_losses": {"train_loss": 1.0},
        "details": {},
    }
    return new_variant(**{**fields, **kw})


def test_the_config_hash_is_sha256_of_canonical_json() -> None:
    canonical = json.dumps(CONFIG, sort_keys=True, separators=(",", ":"))
    assert config_hash(CONFIG) == hashlib.sha256(canonical.encode()).hexdigest()


def test_the_config_hash_ignores_key_order_but_not_values() -> None:
    reordered = {"targets": ["q", "v"], "lr": 0.0002, "lora": {"alpha": 16, "rank": 8}}
    reordered["recipe"] = "lora"
    assert config_hash(reordered) == config_hash(CONFIG)
    assert config_hash({**CONFIG, "lr": 0.0003}) != config_hash(CONFIG)
    assert config_hash({**CONFIG, "targets": ["v", "q"]}) != config_hash(CONFIG)


def test_the_data_hash_changes_with_any_example_and_their_order_only() -> None:
    data = [{"dialogue": "#P1#: hi", "summary": "greeting"}, {"dialogue": "x", "summary": "y"}]
    same = [{"summary": "greeting", "dialogue": "#P1#: hi"}, {"summary": "y", "dialogue": "x"}]
    assert training_data_hash(same) == training_data_hash(data)
    assert training_data_hash(data[:1]) != training_data_hash(data)
    assert training_data_hash(list(reversed(data))) != training_data_hash(data)
    edited = [data[0], {"dialogue": "x", "summary": "z"}]
    assert training_data_hash(edited) != training_data_hash(data)


def test_registered_hashes_follow_config_and_data_and_nothing_else(tmp_path: Path) -> None:
    data = [{"dialogue": "a", "summary": "b"}]
    store = tmp_path / "h.db"
    first = register_variant(store, _variant(CONFIG, data, name="a", weights="01" * 32))
    same = register_variant(
        store, _variant(json.loads(json.dumps(CONFIG)), data, name="b", weights="02" * 32)
    )
    other_config = register_variant(
        store, _variant({**CONFIG, "lr": 1e-3}, data, name="c", weights="03" * 32)
    )
    other_data = register_variant(
        store, _variant(CONFIG, [{"dialogue": "a", "summary": "c"}], name="d", weights="04" * 32)
    )
    assert (same.config_hash, same.data_hash) == (first.config_hash, first.data_hash)
    assert other_config.config_hash != first.config_hash
    assert other_config.data_hash == first.data_hash
    assert other_data.data_hash != first.data_hash
    assert other_data.config_hash == first.config_hash
    stored = get_variant(store, "a")
    assert stored.config_hash == config_hash(stored.details["config"])


def test_the_id_is_v_and_twelve_hex_characters_of_the_weights_hash() -> None:
    weights = hashlib.sha256(b"weights").hexdigest()
    variant = _variant(CONFIG, [], weights=weights)
    assert variant.variant_id == "v-" + weights[:12] == variant_id_for(weights)


def test_new_variant_measures_the_folder_on_disk(tmp_path: Path) -> None:
    (tmp_path / "w").mkdir()
    (tmp_path / "w" / "a.bin").write_bytes(b"x" * 100)
    (tmp_path / "w" / "sub").mkdir()
    (tmp_path / "w" / "sub" / "b.json").write_bytes(b"y" * 23)
    assert _variant(CONFIG, [], path=tmp_path / "w").size_bytes == 123


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"kind": "sft"}, "unknown variant kind 'sft'; use one of base, instruct, full-ft"),
        ({"name": "a/b"}, "bad variant name 'a/b'"),
    ],
)
def test_bad_kinds_and_names_are_refused(change: dict[str, str], message: str) -> None:
    with pytest.raises(HarnessError, match=message):
        _variant(CONFIG, [], **change)
