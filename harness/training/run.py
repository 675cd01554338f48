"""Resolve a recipe's config into a session and run it, or find what it already produced.

The recipe itself (its ``Config`` class and ``train`` function) comes from the recipe
table in :mod:`harness.recipes`; this module knows nothing about which recipes exist.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, Any

from harness.training.config import load_config
from harness.training.run_dir import training_lease

if TYPE_CHECKING:
    from pydantic import BaseModel

    from harness.registry import Variant
    from harness.store import Location
    from harness.training.session import RecipeSession

TrainFunction = Callable[["RecipeSession[Any]"], "Variant"]


def train_once(session: RecipeSession[Any], train: TrainFunction) -> tuple[Variant, bool]:
    """Train (or resume, or find already trained) the variant the session's config describes.

    Returns the variant and whether it was trained now (False: this exact config had
    already produced it, so nothing ran). The variant's training lease is held throughout,
    by the main process alone when ``accelerate launch`` started several.
    """
    # A second ``harness train`` of this variant is refused here.
    lease = training_lease(session.name) if session.world.is_main else nullcontext()
    with lease:
        if not session.restart:
            done = session.finished()
            if done is not None:
                return done, False
        return train(session), True


def open_session(
    recipe: str,
    config_class: type[BaseModel],
    *,
    store: Location,
    config_file: str | Path | None = None,
    profile: str | None = None,
    overrides: Sequence[str] = (),
    restart: bool = False,
    callbacks: Sequence[Any] = (),
) -> RecipeSession[Any]:
    """The session for ``recipe`` with its YAML (or ``config_file``) resolved by ``config_class``."""
    from harness.training.session import RecipeSession

    config: Any  # the recipe module's ``Config``; the session is generic in it
    config, chosen = load_config(
        recipe, config_class, config_file=config_file, profile=profile, overrides=list(overrides)
    )
    return RecipeSession(
        recipe=recipe,
        config=config,
        profile=chosen,
        store=store,
        restart=restart,
        callbacks=tuple(callbacks),
    )
