"""The recipe table is the modules of ``harness.recipes``: a new recipe is one module plus its YAML.

The throw-away recipe here is written at run time into a temporary folder that joins the
package's search path, so nothing else lists it: the CLI's choices, config loading and
``train_recipe`` all find it through the one table.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

import harness.recipes
from harness.cli.main import build_parser, main
from harness.errors import HarnessError
from harness.recipes import load_recipe_config, recipe_names, train_recipe
from harness.registry import get_variant

SHIPPED = [
    "constitutional",
    "distill",
    "dpo",
    "lora",
    "pretrain",
    "prompt-tuning",
    "prune",
    "quantize",
    "reward-model",
    "rl-detox",
    "sft-full",
    "sft-multitask",
]

# A complete recipe: its config class, and a train that registers a freshly initialised
# (untrained) model of the parent's architecture; the parent's own weights would register
# as the parent again, since a variant's id is its weights' hash.
TOY_MODULE = '''
"""A throw-away recipe: an untrained model shaped like its parent."""

from transformers import AutoModelForCausalLM

from harness.training.examples import examples_hash
from harness.training.sections import DEFAULT_PARENT, Section
from harness.training.session import RecipeSession
from harness.training.trainer import untrained


class Config(Section):
    name: str
    parent: str = DEFAULT_PARENT
    seed: int = 42


def train(session: RecipeSession[Config]):
    """Trains nothing; registers a seeded random model of the parent's shape, kind ``base``."""
    run = session.run_dir()
    parent, loaded = session.load_parent()
    session.seed_everything()
    model = AutoModelForCausalLM.from_config(loaded.model.config)
    return session.register(
        kind="base",
        parent=parent,
        model=model,
        tokenizer=loaded.tokenizer,
        run=run,
        data_hash=examples_hash([]),
        outcome=untrained(model, 0.0),
        details={"random_init": True},
    )
'''

TOY_CONFIG = """\
name: tiny-random-copy
parent: tiny-random-llama
profiles:
  quick: {}
  full: {}
"""


@pytest.fixture()
def toy_recipe(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The ``toy-copy`` recipe added to the package for one test; its YAML's path."""
    folder = tmp_path / "more_recipes"
    folder.mkdir()
    (folder / "toy_copy.py").write_text(TOY_MODULE)
    config = tmp_path / "toy-copy.yaml"
    config.write_text(TOY_CONFIG)
    monkeypatch.setattr(harness.recipes, "__path__", [*harness.recipes.__path__, str(folder)])
    yield config
    sys.modules.pop("harness.recipes.toy_copy", None)


def test_the_table_lists_the_shipped_recipe_modules() -> None:
    assert recipe_names() == SHIPPED


def test_building_the_cli_reads_the_table_without_importing_a_recipe() -> None:
    # A fresh interpreter: this one has imported recipes in earlier tests.
    code = (
        "import sys\nfrom harness.cli.main import build_parser\nbuild_parser()\n"
        "print(sorted(m for m in sys.modules if m.startswith('harness.recipes.')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_a_recipe_module_added_at_run_time_joins_the_table_and_the_cli(toy_recipe: Path) -> None:
    assert "toy-copy" in recipe_names()
    args = build_parser().parse_args(["train", "toy-copy", "--config", str(toy_recipe)])
    assert args.recipe == "toy-copy"


def test_the_added_recipe_trains_and_registers_through_train_recipe(
    toy_recipe: Path, lab: Path
) -> None:
    variant, trained = train_recipe("toy-copy", store=lab, config_file=toy_recipe, profile="quick")
    assert trained
    assert (variant.name, variant.kind, variant.recipe) == ("tiny-random-copy", "base", "toy-copy")
    assert variant.trainable_params == 0 and variant.details["random_init"] is True
    assert get_variant(lab, str(variant.parent_id)).spec == "tiny-random-llama"
    again, trained_again = train_recipe(
        "toy-copy", store=lab, config_file=toy_recipe, profile="quick"
    )
    assert not trained_again and again.variant_id == variant.variant_id


def test_the_added_recipe_trains_from_the_cli(
    toy_recipe: Path, lab: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["train", "toy-copy", "--config", str(toy_recipe), "--store", str(lab)]) == 0
    assert "tiny-random-copy  (base, recipe toy-copy)" in capsys.readouterr().out


def test_the_added_recipe_reads_recipes_name_yaml_by_default(toy_recipe: Path) -> None:
    with pytest.raises(HarnessError, match=r"recipe config .*recipes/toy-copy\.yaml not found"):
        load_recipe_config("toy-copy", profile="quick")


def test_a_key_typo_in_the_added_recipes_config_is_refused(
    toy_recipe: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    typo = tmp_path / "typo.yaml"
    typo.write_text(toy_recipe.read_text().replace("parent:", "seeed: 1\nparent:"))
    with pytest.raises(HarnessError, match="unknown key 'seeed'; known keys here: name, parent"):
        load_recipe_config("toy-copy", config_file=typo, profile="quick")
    store = tmp_path / "store.db"
    argv = ["train", "toy-copy", "--config", str(toy_recipe), "--set", "seeed=1"]
    assert main([*argv, "--store", str(store)]) == 2
    assert "unknown key 'seeed'" in capsys.readouterr().err
    assert not store.exists()


def test_an_unknown_recipe_names_the_table() -> None:
    with pytest.raises(
        HarnessError, match="unknown recipe 'ppo'; known: constitutional, distill, dpo, lora"
    ):
        load_recipe_config("ppo")
