"""PAL (Gao et al., 2023): the model writes ``def solution(): ... return answer``; the
sandbox runs it and its printed return value is the answer.

The generation is cut at the next question (``Q:``) and unwrapped from a Markdown code
fence if it has one; a program that does not run answers ``[error]``.
"""

from __future__ import annotations

import re

from harness.data.readers import Doc
from harness.sandbox import SandboxLimits, SandboxResult

FAILED = "[error]"
_FENCE = re.compile(r"```(?:python)?\n(.*?)(?:```|$)", re.DOTALL)


def extract_program(generation: str) -> str:
    """The code in a generation: inside its first code fence, else up to the next question."""
    fenced = _FENCE.search(generation)
    code = fenced.group(1) if fenced else generation
    return code.split("\nQ:")[0]


class PalProgram:
    """Run ``solution()`` and answer with what it returns (printed)."""

    limits = SandboxLimits(wall_s=10.0, cpu_s=3)

    def program(self, generation: str, doc: Doc) -> str:
        return f"{extract_program(generation)}\n\nprint(solution())\n"

    def answer(self, result: SandboxResult) -> str:
        lines = result.stdout.strip().splitlines()
        return lines[-1].strip() if result.ok and lines else FAILED
