"""Generated code run in the sandbox: the table of executors a task's ``execute`` names.

An executor turns one generation into a program (``program``) and the sandbox's report on
it into the answer metrics judge (``answer``). One module per executor, one line here;
modules are imported only when a task uses them.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from typing import Protocol

from harness.data.readers import Doc
from harness.errors import HarnessError, did_you_mean
from harness.sandbox import SandboxLimits, SandboxResult, run_many
from harness.store import ProgramRun

EXECUTORS: dict[str, str] = {
    "unit_tests": "harness.tasks.unit_tests:UnitTests",
    "pal": "harness.tasks.pal_program:PalProgram",
}


class Executor(Protocol):
    """How one task's generations become programs, and their runs answers."""

    limits: SandboxLimits

    def program(self, generation: str, doc: Doc) -> str: ...

    def answer(self, result: SandboxResult) -> str: ...


def get_executor(name: str, *, task: str) -> Executor:
    """The executor registered as ``name``."""
    target = EXECUTORS.get(name)
    if target is None:
        raise HarnessError(
            f"task '{task}': unknown execute '{name}'{did_you_mean(name, EXECUTORS)}; "
            f"known: {', '.join(sorted(EXECUTORS))}"
        )
    module, cls = target.split(":")
    executor: Executor = getattr(importlib.import_module(module), cls)()
    return executor


def run_generations(executor: Executor, generations: Sequence[str], doc: Doc) -> list[ProgramRun]:
    """Each generation's program run in its own jail, as the records a sample keeps."""
    programs = [executor.program(text, doc) for text in generations]
    results = run_many(programs, executor.limits, workers=2)
    return [
        ProgramRun(status=r.status, answer=executor.answer(r), error=r.error, code=text)
        for r, text in zip(results, generations, strict=True)
    ]
