"""Pre-training from scratch on a slice of the corpora: tokenizer, loss, root variant, sweep."""

from __future__ import annotations

import json
from pathlib import Path

from tiny_training import losses

from harness.cli.main import main
from harness.recipes import sweep_recipe, train_recipe
from harness.registry import get_variant, load_variant
from harness.store import open_store
from harness.training.bpe import train_bpe
from harness.training.corpus import load_corpora

TINY_PRETRAIN = [
    "data.max_chars=40000",
    "data.block_size=32",
    "tokenizer.vocab_size=400",
    "model={hidden: 32, layers: 1, heads: 2, kv_heads: 2, intermediate: 64}",
    "train.max_steps=8",
    "train.batch_size=8",
    "train.learning_rate=1e-2",
    "train.warmup=0",
    "train.logging_steps=1",
    "train.save_steps=4",
]


def test_the_bpe_tokenizer_has_the_asked_vocabulary_and_round_trips(lab: Path) -> None:
    (shakespeare,) = load_corpora(["tinyshakespeare"], holdout=0.1, max_chars=30000)
    tokenizer = train_bpe([shakespeare.train], vocab_size=350, min_frequency=2)
    assert len(tokenizer) == 350
    sample = shakespeare.heldout[:500]
    assert tokenizer.decode(tokenizer(sample)["input_ids"]) == sample


def test_the_corpora_hold_out_their_last_share_at_a_line_break(lab: Path) -> None:
    shakespeare, wiki = load_corpora(["tinyshakespeare", "wikitext2_raw"], holdout=0.1)
    assert shakespeare.train.endswith("\n") and "\r" not in wiki.train
    share = len(shakespeare.heldout) / (len(shakespeare.train) + len(shakespeare.heldout))
    assert 0.099 < share < 0.101


def test_pretraining_lowers_the_loss_and_registers_a_loadable_root(lab: Path) -> None:
    variant, trained = train_recipe(
        "pretrain", store=lab, profile="quick", overrides=["name=tiny-pre", *TINY_PRETRAIN]
    )
    assert trained
    curve = losses(variant)
    assert curve[-1] < curve[0]
    assert variant.kind == "base" and variant.parent_id is None
    assert set(variant.final_losses) >= {
        "train_loss",
        "eval_loss",
        "eval_loss_tinyshakespeare",
        "eval_loss_wikitext2_raw",
    }
    assert variant.details["vocab_size"] == 400
    assert variant.details["tokens"] == 8 * 8 * 32
    loaded = load_variant(lab, "tiny-pre")
    assert loaded.weights_hash == variant.weights_hash
    assert len(loaded.tokenizer) == 400


def test_the_sweep_stores_its_points_and_a_power_law(lab: Path) -> None:
    result = sweep_recipe(
        "pretrain",
        store=lab,
        profile="quick",
        overrides=[
            "name=tiny-sweep",
            *TINY_PRETRAIN,
            "sweep.tokens=1024",
            "sweep.sizes=[{hidden: 16, layers: 1, heads: 2, kv_heads: 2, intermediate: 32},"
            " {hidden: 32, layers: 1, heads: 2, kv_heads: 2, intermediate: 64}]",
        ],
    )
    assert [p.tokens for p in result.points] == [1024, 1024]  # 1024 // (8 * 32) = 4 steps each
    assert result.points[0].params < result.points[1].params
    stored = json.loads(result.path.read_text())
    assert [p["variant_id"] for p in stored["points"]] == [v.variant_id for v in result.variants]
    assert stored["fit"]["exponent"] == result.law.exponent


def test_the_cli_trains_registers_and_evaluates(lab: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    sets = [arg for item in ["name=cli-pre", *TINY_PRETRAIN] for arg in ("--set", item)]
    evaluate = ["--eval", "wikitext", "--eval-limit", "1"]
    code = main(["train", "pretrain", "--store", str(lab), *sets, *evaluate])
    assert code == 0
    out = capsys.readouterr().out
    assert "cli-pre  (base, recipe pretrain)" in out
    with open_store(lab) as store:
        (run,) = store.list_runs()
    assert run.model_hash == get_variant(lab, "cli-pre").weights_hash
