"""A jail for untrusted generated Python (HumanEval completions, PAL programs, calculators).

``run_python(code, limits)`` runs one program in fresh Linux namespaces (no network, its
own PID space, a tmpfs root that shows only the interpreter) under resource limits, and
returns how it ended; escape attempts end as that run's error, never as the harness's.
"""

from harness.sandbox.limits import SandboxLimits, SandboxResult, Status
from harness.sandbox.run import SandboxUnavailable, run_many, run_python

__all__ = [
    "SandboxLimits",
    "SandboxResult",
    "SandboxUnavailable",
    "Status",
    "run_many",
    "run_python",
]
