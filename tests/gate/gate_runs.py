"""Stored runs of the toy suite by two tiny random models, for the gate tests."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from toy_suite import write_toy_suite  # re-exported for the gate tests

from harness.runner import EvalOptions, run_eval

__all__ = ["GateStore", "run_toy", "write_toy_suite"]


@dataclass(frozen=True)
class GateStore:
    path: Path
    first: str  # tiny-random-llama, both tasks
    second: str  # tiny-random-llama:seed=1, both tasks
    mc_only: str  # tiny-random-llama, toy_mc only
    gen_only: str  # tiny-random-llama, toy_gen only


def run_toy(suite: Path, store: Path, model, **changes) -> str:  # type: ignore[no-untyped-def]
    options = EvalOptions(
        model=model.spec,
        suite=str(suite),
        data_dir=str(suite.parent.parent / "data"),
        store=store,
        progress=False,
        **changes,
    )
    return run_eval(options, model=model, log=lambda _line: None).run_id
