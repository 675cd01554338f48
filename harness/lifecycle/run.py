"""Run a lifecycle plan: evaluate the start model, train each step, evaluate each variant.

Every piece is resumable, so an interrupted lifecycle picks up where it stopped: a step
whose recipe config already produced a registered variant is not trained again (the
recipe's own rule), a variant already evaluated with the same suite, tasks and limit is
not evaluated again, and a run that crashed half way is resumed task by task
(:func:`harness.runner.once.evaluate_once`).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from harness.lifecycle.config import START, EvalConfig, LifecycleConfig

if TYPE_CHECKING:
    from harness.registry import Variant
    from harness.store import Location

Log = Callable[[str], None]


def _stderr(line: str) -> None:
    print(line, file=sys.stderr)


@dataclass
class LifecycleResult:
    """The variants in plan order and where the time went."""

    variants: dict[str, Variant] = field(default_factory=dict)  # step name -> variant
    train_seconds: dict[str, float] = field(default_factory=dict)
    eval_seconds: dict[str, float] = field(default_factory=dict)
    reused: set[str] = field(default_factory=set)  # steps trained by an earlier run
    total_seconds: float = 0.0


def run_lifecycle(
    config: LifecycleConfig, *, store: Location, profile: str, log: Log = _stderr
) -> LifecycleResult:
    """Train and evaluate every enabled step of ``config`` in order."""
    from harness.recipes import train_recipe
    from harness.registry import ensure_root

    started = time.perf_counter()
    result = LifecycleResult()
    _check_suites(config)
    log(f"lifecycle '{config.name}' ({profile}): start model {config.start}")
    result.variants[START] = ensure_root(store, config.start)
    result.eval_seconds[START] = _evaluate_all(config, store, result.variants[START], log)
    for step_name, step in config.steps.items():
        if not step.enabled:
            log(f"step {step_name}: disabled in this profile, skipped")
            continue
        parent = result.variants[step.parent]
        overrides = [
            f"name={config.variant_name(step_name)}",
            f"parent={parent.name}",
            *step.overrides(),
        ]
        log(f"step {step_name}: {step.recipe} from {parent.name}")
        clock = time.perf_counter()
        variant, trained = train_recipe(
            step.recipe, store=store, profile=profile, overrides=overrides
        )
        result.train_seconds[step_name] = time.perf_counter() - clock if trained else 0.0
        if not trained:
            result.reused.add(step_name)
            log(f"step {step_name}: {variant.name} already trained with this config")
        result.variants[step_name] = variant
        if variant.kind == "reward-model":
            continue  # scores responses; it is not a language model to evaluate
        result.eval_seconds[step_name] = _evaluate_all(config, store, variant, log)
    result.total_seconds = time.perf_counter() - started
    return result


def _check_suites(config: LifecycleConfig) -> None:
    """Fail on a misspelt suite or task now, not after the first hour of training."""
    from harness.tasks import load_suite

    for suite, settings in config.evaluate.items():
        load_suite(suite).select(settings.tasks)


def _evaluate_all(config: LifecycleConfig, store: Location, variant: Variant, log: Log) -> float:
    started = time.perf_counter()
    for suite, settings in config.evaluate.items():
        _evaluate(store, variant, suite, settings, log)
    return time.perf_counter() - started


def _evaluate(
    store: Location, variant: Variant, suite: str, settings: EvalConfig, log: Log
) -> None:
    from harness.runner.once import evaluate_once

    evaluate_once(
        store,
        variant,
        suite,
        tasks=settings.tasks,
        limit=settings.limit,
        batch_size=settings.batch_size,
        log=log,
    )
