"""Recipe configs: profiles, typed ``--set`` overrides, one-line errors, a canonical hash."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.errors import HarnessError
from harness.recipes import load_recipe_config
from harness.training.config import config_hash


def test_the_quick_profile_is_laid_over_the_defaults() -> None:
    config, profile = load_recipe_config("lora", profile="quick")
    assert profile == "quick"
    assert config.data.limit == 128  # from profiles.quick
    assert config.lora.rank == 32  # from the top level
    full, _ = load_recipe_config("lora", profile="full")
    assert full.data.limit is None


def test_overrides_are_read_as_typed_yaml_values() -> None:
    config, _ = load_recipe_config(
        "lora",
        profile="quick",
        overrides=[
            "lora.rank=16",
            "train.learning_rate=1e-4",
            "lora.target_modules=[q_proj, k_proj]",
            "lora.save_merged=true",
            "data.limit=null",
        ],
    )
    assert config.lora.rank == 16
    assert config.train.learning_rate == pytest.approx(1e-4)
    assert config.lora.target_modules == ["q_proj", "k_proj"]
    assert config.lora.save_merged is True
    assert config.data.limit is None


def test_an_unknown_key_names_the_known_keys() -> None:
    with pytest.raises(HarnessError, match=r"unknown key 'lora.rnak'.*rank, alpha, dropout"):
        load_recipe_config("lora", profile="quick", overrides=["lora.rnak=4"])


def test_a_bad_value_is_one_line_naming_the_key() -> None:
    with pytest.raises(HarnessError) as info:
        load_recipe_config("lora", profile="quick", overrides=["lora.rank=0"])
    assert "'lora.rank'" in str(info.value)
    assert "\n" not in str(info.value)


def test_an_unknown_profile_or_recipe_is_refused() -> None:
    with pytest.raises(HarnessError, match="no profile 'huge'; known: quick, full"):
        load_recipe_config("lora", profile="huge")
    with pytest.raises(HarnessError, match="unknown recipe 'ppo'"):
        load_recipe_config("ppo")
    with pytest.raises(HarnessError, match="use key=value"):
        load_recipe_config("lora", profile="quick", overrides=["lora.rank"])


def test_the_config_hash_ignores_key_order_and_follows_values(tmp_path: Path) -> None:
    one = tmp_path / "one.yaml"
    one.write_text("name: a\nseed: 1\nlora: {rank: 4, alpha: 8}\nprofiles: {quick: {}}\n")
    two = tmp_path / "two.yaml"
    two.write_text("lora: {alpha: 8, rank: 4}\nseed: 1\nname: a\nprofiles: {quick: {}}\n")
    first, _ = load_recipe_config("lora", config_file=one, profile="quick")
    second, _ = load_recipe_config("lora", config_file=two, profile="quick")
    changed, _ = load_recipe_config(
        "lora", config_file=one, profile="quick", overrides=["lora.rank=5"]
    )
    assert config_hash(first) == config_hash(second)
    assert config_hash(changed) != config_hash(first)


@pytest.mark.parametrize(
    "recipe", ["pretrain", "sft-full", "lora", "prompt-tuning", "sft-multitask"]
)
@pytest.mark.parametrize("profile", ["quick", "full"])
def test_every_shipped_config_validates(recipe: str, profile: str) -> None:
    config, _ = load_recipe_config(recipe, profile=profile)
    assert config.name
