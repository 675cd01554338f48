"""The ``variants`` table: register, look up, refuse clashes, and migrate version-1 stores."""

from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path

import pytest
from raw_store import make_version, raw_rows

from harness.errors import HarnessError
from harness.registry import (
    Variant,
    find_variant,
    get_variant,
    list_variants,
    new_variant,
    register_variant,
)
from harness.store import SCHEMA_VERSION, open_store


def _trained(name: str, weights: str, parent: str | None = None) -> Variant:
    return new_variant(
        name=name,
        kind="full-ft",
        parent_id=parent,
        path=None,
        recipe="sft-full",
        config={"lr": 1e-4},
        data_hash="d" * 64,
        weights_hash=weights,
        total_params=100,
        trainable_params=100,
        training_seconds=2.5,
        final_losses={"train_loss": 1.5, "eval_loss": float("nan")},
        details={"training": {"loss": [1.0, 0.5]}},
    )


def _root(name: str = "src", weights: str = "aa" * 32) -> Variant:
    return replace(_trained(name, weights), kind="base", recipe=None, spec=name, final_losses={})


def test_a_variant_reads_back_equal_by_id_name_and_prefix(store_at: str) -> None:
    store = store_at
    root = register_variant(store, _root())
    child = register_variant(store, _trained("child", "bb" * 32, parent=root.variant_id))
    assert get_variant(store, child.variant_id).name == "child"
    assert get_variant(store, "child").variant_id == "v-bbbbbbbbbbbb"
    assert get_variant(store, "v-bbbb").variant_id == child.variant_id
    back = get_variant(store, "child")
    assert back.final_losses["train_loss"] == 1.5
    assert math.isnan(back.final_losses["eval_loss"])  # stored as null, read back as NaN
    assert back.details == child.details
    assert back.created_at == child.created_at
    assert [v.name for v in list_variants(store)] == ["src", "child"]


def test_registering_the_same_weights_again_returns_the_stored_variant(store_at: str) -> None:
    store = store_at
    first = register_variant(store, _root())
    again = register_variant(store, replace(_root(), name="renamed"))
    assert again == first
    with open_store(store) as opened:
        assert opened.count_rows()["variants"] == 1


def test_a_taken_name_with_other_weights_is_refused_and_nothing_written(store_at: str) -> None:
    store = store_at
    register_variant(store, _root())
    with pytest.raises(HarnessError, match="variant name 'src' is taken by v-aaaaaaaaaaaa"):
        register_variant(store, _root(weights="cc" * 32))
    assert len(list_variants(store)) == 1


def test_an_unregistered_parent_is_refused(store_at: str) -> None:
    store = store_at
    with pytest.raises(HarnessError, match="parent variant 'v-000000000000' of 'x' is not in"):
        register_variant(store, _trained("x", "bb" * 32, parent="v-000000000000"))
    assert list_variants(store) == []


def test_an_unknown_variant_names_the_command_that_lists_them(store_at: str) -> None:
    store = store_at
    register_variant(store, _root())
    with pytest.raises(
        HarnessError, match=r"no variant 'nope' in .*; list them with `harness variants`"
    ):
        get_variant(store, "nope")


def test_an_ambiguous_id_prefix_is_refused(store_at: str) -> None:
    store = store_at
    register_variant(store, _root("a", "ab" * 32))
    register_variant(store, _root("b", "ac" * 32))
    with pytest.raises(HarnessError, match="variant id prefix 'v-a' is ambiguous"):
        get_variant(store, "v-a")


def test_looking_up_a_missing_store_creates_no_file(tmp_path: Path) -> None:
    store = tmp_path / "none.db"
    assert find_variant(store, "x") is None
    assert list_variants(store) == []
    assert not store.exists()


def test_a_version_1_store_gains_the_variants_table_and_keeps_its_runs(store_at: str) -> None:
    path = store_at
    with open_store(path) as store:
        pass
    make_version(path, 1)  # what a version-1 harness wrote
    register_variant(path, _root())
    assert raw_rows(path, "SELECT version FROM schema_version") == [(SCHEMA_VERSION,)]
    assert SCHEMA_VERSION == 4
    assert [v.name for v in list_variants(path)] == ["src"]
    with open_store(path) as store:
        assert store.count_rows()["schema_version"] == 1
