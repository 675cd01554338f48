"""Settings that make any supervised recipe train a tiny random Llama in seconds."""

from __future__ import annotations

import subprocess
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

# Two short DialogSum dialogues in one batch: every step sees the same batch, so the loss
# must fall if the recipe trains at all.
TINY_SFT = [
    "parent=tiny-random-llama",
    "data.limit=2",
    "data.max_length=160",
    "train.max_steps=4",
    "train.batch_size=2",
    "train.save_steps=2",
    "train.logging_steps=1",
    "train.warmup=0",
]


def train_tiny(
    recipe: str,
    store: Path,
    *extra: str,
    callbacks: Sequence[Any] = (),
    base: Sequence[str] = TINY_SFT,
) -> Any:
    """Train ``recipe`` with the tiny settings plus ``extra`` overrides; the registered variant."""
    from harness.recipes import train_recipe

    variant, _ = train_recipe(
        recipe,
        store=store,
        profile="quick",
        overrides=[*base, *extra],
        callbacks=callbacks,
    )
    return variant


def losses(variant: Any) -> list[float]:
    return [point["value"] for point in variant.details["training"]["loss"]]


def wait_for_pause(process: subprocess.Popen[str], point: str) -> None:
    """Read ``process``'s stderr until it pauses at ``point`` (``HARNESS_TEST_PAUSE_AT``);
    the test fails with the last lines it printed if it ends first."""
    assert process.stderr is not None
    seen = []
    for line in process.stderr:
        seen.append(line)
        if f"harness-test: paused at {point}" in line:
            return
    pytest.fail("training never paused:\n" + "".join(seen[-40:]))
