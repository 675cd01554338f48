"""The lineage tree printed by ``harness lineage`` and the table of ``harness variants``."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from harness.cli.main import main
from harness.registry import Variant, new_variant, register_variant
from harness.registry.lineage import format_lineage, root_of


def _v(name: str, digit: str, parent: Variant | None, kind: str = "lora") -> Variant:
    variant = new_variant(
        name=name,
        kind=kind,
        parent_id=parent.variant_id if parent else None,
        path=None,
        recipe=None if parent is None else kind,
        config=None,
        data_hash=None,
        weights_hash=digit * 64,
        total_params=1000,
        trainable_params=1000 if parent is None or kind == "full-ft" else 10,
        training_seconds=None if parent is None else 12.0,
        final_losses={} if parent is None else {"train_loss": 1.25},
        details={},
    )
    return replace(variant, spec=name) if parent is None else variant


def _family() -> list[Variant]:
    root = _v("smol", "1", None, kind="instruct")
    sft = _v("smol-sft", "2", root, kind="full-ft")
    lora = _v("smol-lora", "3", root)
    lora_on_sft = _v("sft-lora", "4", sft)
    dpo = _v("sft-dpo", "5", sft, kind="dpo")
    other_root = _v("other", "6", None, kind="base")
    return [root, sft, lora, lora_on_sft, dpo, other_root]


def test_the_tree_shows_every_branch_from_the_root_and_marks_the_variant() -> None:
    family = _family()
    assert format_lineage(family, "v-444444444444") == "\n".join(
        [
            "smol  v-111111111111  instruct  1K params",
            "├── smol-lora  v-333333333333  lora  recipe lora  trainable 10 (1.00%)"
            "  train_loss 1.25  12.0 s",
            "└── smol-sft  v-222222222222  full-ft  recipe full-ft  trainable 1K (100.00%)"
            "  train_loss 1.25  12.0 s",
            "    ├── sft-dpo  v-555555555555  dpo  recipe dpo  trainable 10 (1.00%)"
            "  train_loss 1.25  12.0 s",
            "    └── sft-lora  v-444444444444  lora  recipe lora  trainable 10 (1.00%)"
            "  train_loss 1.25  12.0 s *",
        ]
    )


def test_a_root_alone_is_one_line() -> None:
    assert format_lineage(_family(), "v-666666666666") == "other  v-666666666666  base  1K params *"
    assert root_of(_family(), "v-555555555555").name == "smol"


def test_the_cli_prints_variants_and_lineage(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = tmp_path / "h.db"
    for variant in _family():
        register_variant(store, variant)
    assert main(["lineage", "smol-lora", "--store", str(store)]) == 0
    assert capsys.readouterr().out.splitlines()[1].endswith("12.0 s *")
    assert main(["variants", "--store", str(store)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == [
        "id", "name", "kind", "parent", "recipe", "params", "trainable", "size", "time",
        "final", "losses",
    ]  # fmt: skip
    assert lines[5].split() == [
        "v-444444444444", "sft-lora", "lora", "smol-sft", "lora", "1K", "10", "0B", "12.0s",
        "train_loss=1.25",
    ]  # fmt: skip


def test_the_cli_names_the_fix_for_an_unknown_variant(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = tmp_path / "h.db"
    register_variant(store, _family()[0])
    assert main(["lineage", "nope", "--store", str(store)]) == 2
    assert "list them with `harness variants`" in capsys.readouterr().err
