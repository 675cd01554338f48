"""Training recipes: each turns a config (``recipes/<name>.yaml``) into a registered variant.

The recipe table is this package's modules: module ``sft_full`` is recipe ``sft-full``.
A recipe module exports its pydantic ``Config`` (what its YAML may say) and
``train(session)``, and ``TRAINS = False`` when it only transforms its parent (such a
recipe runs as one process, never under ``accelerate launch``); the machinery they share
lives in :mod:`harness.training`. Adding a
recipe is adding its module here and its YAML under ``recipes/``.

The table is read from the package folder without importing the recipe modules (they
import torch, transformers, peft and trl), so listing recipes, e.g. for the CLI's
choices, stays cheap.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

from harness.errors import HarnessError, did_you_mean
from harness.training.distributed import current_world

if TYPE_CHECKING:
    from harness.registry import Variant
    from harness.store import Location
    from harness.training.session import RecipeSession
    from harness.training.sweep import SweepResult


def recipe_names() -> list[str]:
    """Every recipe, by name, sorted: the modules of this package, ``_`` turned into ``-``."""
    return sorted(
        {
            module.name.replace("_", "-")
            for module in pkgutil.iter_modules(__path__)
            if not module.name.startswith("_") and not module.ispkg
        }
    )


def recipe_module(recipe: str) -> ModuleType:
    """The module of ``recipe`` (imported now); an unknown name is refused with the known ones."""
    known = recipe_names()
    if recipe not in known:
        raise HarnessError(
            f"unknown recipe '{recipe}'; known: {', '.join(known)}{did_you_mean(recipe, known)}"
        )
    return importlib.import_module(f"{__name__}.{recipe.replace('-', '_')}")


def load_recipe_config(
    recipe: str,
    *,
    config_file: str | Path | None = None,
    profile: str | None = None,
    overrides: list[str] | None = None,
) -> tuple[Any, str]:
    """The recipe's config, validated by its module's ``Config``, and the profile applied.

    Order: the file's top-level values, then the profile's, then each ``--set key=value``.
    """
    from harness.training.config import load_config

    module = recipe_module(recipe)
    return load_config(
        recipe, module.Config, config_file=config_file, profile=profile, overrides=overrides
    )


def train_recipe(
    recipe: str,
    *,
    store: Location,
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
    from harness.training.run import train_once

    module = recipe_module(recipe)
    check_processes(recipe, module, current_world().size)
    session = _session(recipe, module, store, config_file, profile, overrides, restart, callbacks)
    return train_once(session, module.train)


def check_processes(recipe: str, module: ModuleType, processes: int) -> None:
    """Refuse several processes for a recipe that trains nothing (they would only race)."""
    if processes > 1 and not getattr(module, "TRAINS", True):
        raise HarnessError(
            f"recipe '{recipe}' trains nothing, so it runs as one process; drop --processes "
            "(or run it without accelerate launch)"
        )


def sweep_recipe(
    recipe: str,
    *,
    store: Location,
    config_file: str | Path | None = None,
    profile: str | None = None,
    overrides: Sequence[str] = (),
    restart: bool = False,
) -> SweepResult:
    """The scaling sweep of a pre-training config (``harness train pretrain --sweep``)."""
    from harness.training.sweep import run_sweep

    if recipe != "pretrain":
        raise HarnessError(f"--sweep applies to the pretrain recipe, not '{recipe}'")
    module = recipe_module(recipe)
    session = _session(recipe, module, store, config_file, profile, overrides, restart, ())
    return run_sweep(session, module.train)


def _session(
    recipe: str,
    module: ModuleType,
    store: Location,
    config_file: str | Path | None,
    profile: str | None,
    overrides: Sequence[str],
    restart: bool,
    callbacks: Sequence[Any],
) -> RecipeSession[Any]:
    from harness.training.run import open_session

    return open_session(
        recipe,
        module.Config,
        store=store,
        config_file=config_file,
        profile=profile,
        overrides=overrides,
        restart=restart,
        callbacks=callbacks,
    )


__all__ = [
    "check_processes",
    "load_recipe_config",
    "recipe_module",
    "recipe_names",
    "sweep_recipe",
    "train_recipe",
]
