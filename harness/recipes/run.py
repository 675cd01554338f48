"""Resolve a recipe's config and run it: the one entry point the CLI and tests call."""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from harness.recipes.config import load_recipe_config

if TYPE_CHECKING:
    from harness.recipes.session import RecipeSession
    from harness.recipes.sweep import SweepResult
    from harness.registry import Variant

# Recipe name -> the module whose ``train(session)`` runs it.
RECIPES: dict[str, str] = {
    "pretrain": "harness.recipes.pretrain",
    "sft-full": "harness.recipes.sft_full",
    "lora": "harness.recipes.lora",
    "prompt-tuning": "harness.recipes.prompt_tuning",
    "sft-multitask": "harness.recipes.sft_multitask",
    "reward-model": "harness.recipes.reward_model",
    "dpo": "harness.recipes.dpo",
    "rl-detox": "harness.recipes.rl_detox",
    "quantize": "harness.recipes.quantize",
    "prune": "harness.recipes.prune",
    "distill": "harness.recipes.distill",
}


def train_recipe(
    recipe: str,
    *,
    store: str | Path,
    config_file: str | Path | None = None,
    profile: str | None = None,
    overrides: Sequence[str] = (),
    restart: bool = False,
    callbacks: Sequence[Any] = (),
) -> tuple[Variant, bool]:
    """Train (or resume, or find already trained) the variant a recipe config describes.

    Returns the variant and whether it was trained now (False: this exact config had
    already produced it, so nothing ran).
    """
    session = _session(recipe, store, config_file, profile, overrides, restart, callbacks)
    if not restart:
        done = session.finished()
        if done is not None:
            return done, False
    module = importlib.import_module(RECIPES[recipe])
    return module.train(session), True


def sweep_recipe(
    recipe: str,
    *,
    store: str | Path,
    config_file: str | Path | None = None,
    profile: str | None = None,
    overrides: Sequence[str] = (),
    restart: bool = False,
) -> SweepResult:
    """The scaling sweep of a pre-training config (``harness train pretrain --sweep``)."""
    from harness.errors import HarnessError
    from harness.recipes.sweep import run_sweep

    if recipe != "pretrain":
        raise HarnessError(f"--sweep applies to the pretrain recipe, not '{recipe}'")
    return run_sweep(_session(recipe, store, config_file, profile, overrides, restart, ()))


def _session(
    recipe: str,
    store: str | Path,
    config_file: str | Path | None,
    profile: str | None,
    overrides: Sequence[str],
    restart: bool,
    callbacks: Sequence[Any],
) -> RecipeSession:
    from harness.recipes.session import RecipeSession

    config, chosen = load_recipe_config(
        recipe, config_file=config_file, profile=profile, overrides=list(overrides)
    )
    return RecipeSession(
        recipe=recipe,
        config=config,
        profile=chosen,
        store=store,
        restart=restart,
        callbacks=tuple(callbacks),
    )
