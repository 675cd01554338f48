"""What the sandbox allows a program, and what it reports back about one run."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Status = Literal["ok", "error", "timeout", "cpu_limit", "memory_limit", "output_limit", "killed"]
"""How a run ended: ``ok`` is exit code 0; ``error`` an exception or other non-zero exit;
the rest name the limit that stopped it (``killed``: any other signal)."""


@dataclass(frozen=True)
class SandboxLimits:
    """Limits of one run. The defaults suit unit tests of a generated function."""

    wall_s: float = 10.0
    cpu_s: int = 5
    memory_bytes: int = 1 << 30  # address space: a 10 GB allocation fails with MemoryError
    output_bytes: int = 1 << 20  # stdout, stderr and any file the program writes, each
    disk_bytes: int = 16 << 20  # the working folder (a tmpfs)
    open_files: int = 64
    processes: int = 16  # processes of the sandbox's own uid (root only; see launch.py)


@dataclass(frozen=True)
class SandboxResult:
    """One run: how it ended, its (capped) output, and a one-line error for the sample."""

    status: Status
    exit_code: int
    stdout: str
    stderr: str
    wall_s: float
    reason: str = ""  # why a limit stopped it, when stderr cannot say (a signal, the wall clock)

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    @property
    def error(self) -> str | None:
        """None for a clean run; else the status and the last line of stderr (the exception)."""
        if self.ok:
            return None
        lines = [line for line in self.stderr.splitlines() if line.strip()]
        last = self.reason or (lines[-1].strip() if lines else f"exit code {self.exit_code}")
        return f"{self.status}: {last[:300]}"
