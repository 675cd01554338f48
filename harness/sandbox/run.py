"""Run untrusted Python in the jail :mod:`harness.sandbox.launch` builds, within limits.

The harness side: writes the program and its spec to a private temporary folder, starts
the launcher with the base interpreter (``-I -S``: no site-packages, no environment), waits
at most the wall time (then kills the launcher, whose death kills the jail), and reads back
at most ``output_bytes`` of each stream. Every way the program can fail, including each
limit, becomes a :class:`SandboxResult`; only a jail that cannot be built raises.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

from harness.errors import HarnessError
from harness.sandbox.limits import SandboxLimits, SandboxResult, Status

LAUNCHER = Path(__file__).with_name("launch.py")
SETUP_FAILED = 125

# Each concurrent run as root gets a uid of its own, so RLIMIT_NPROC (counted per uid) is
# per run: a fork bomb in one sample cannot starve the next. The range depends on the pid
# so two harness processes on one machine rarely share one.
_UID_SLOTS = 64
_UID_BASE = 200_000 + (os.getpid() % 10_000) * _UID_SLOTS
_free_uids = list(range(_UID_BASE, _UID_BASE + _UID_SLOTS))
_uid_lock = threading.Lock()


class SandboxUnavailable(HarnessError):
    """The jail cannot be built here; generated code is never run without it."""


@contextmanager
def _sandbox_uid() -> Iterator[int]:
    with _uid_lock:
        if not _free_uids:
            raise HarnessError(f"more than {_UID_SLOTS} sandboxes at once; use fewer workers")
        uid = _free_uids.pop()
    try:
        yield uid
    finally:
        with _uid_lock:
            _free_uids.append(uid)


def _interpreter() -> tuple[str, list[str]]:
    """The base interpreter (not a venv's wrapper) and the folders the jail must show."""
    python = os.path.realpath(getattr(sys, "_base_executable", None) or sys.executable)
    prefixes = sorted(
        {os.path.realpath(p) for p in (sys.base_prefix, sys.base_exec_prefix)}
        - {"/usr", "/usr/local"}
    )
    prefixes = [p for p in prefixes if not p.startswith("/usr/")]
    return python, prefixes


def run_python(code: str, limits: SandboxLimits | None = None) -> SandboxResult:
    """Run ``code`` as ``main.py`` in a fresh jail and report how it ended."""
    limits = limits or SandboxLimits()
    python, prefixes = _interpreter()
    with tempfile.TemporaryDirectory(prefix="harness-sandbox-") as tmp, _sandbox_uid() as uid:
        folder = Path(tmp)
        os.chmod(folder, 0o700)
        (folder / "root").mkdir()
        spec = {
            "code": code,
            "root": str(folder / "root"),
            "setup_error": str(folder / "setup_error"),
            "python": python,
            "prefixes": prefixes,
            "uid": uid,
            "cpu_s": max(1, int(limits.cpu_s)),
            "memory_bytes": limits.memory_bytes,
            "output_bytes": limits.output_bytes,
            "disk_bytes": limits.disk_bytes,
            "open_files": limits.open_files,
            "processes": limits.processes,
        }
        spec_path = folder / "spec.json"
        spec_path.write_text(json.dumps(spec), encoding="utf-8")
        started = time.perf_counter()
        with open(folder / "stdout", "wb") as out, open(folder / "stderr", "wb") as err:
            process = subprocess.Popen(
                [python, "-I", "-S", "-B", str(LAUNCHER), str(spec_path)],
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=err,
                env={},
                close_fds=True,
                start_new_session=True,
            )
            timed_out = False
            try:
                code_ = process.wait(timeout=limits.wall_s)
            except subprocess.TimeoutExpired:
                timed_out = True
                process.kill()  # the jail's PID 1 dies with the launcher, and all it started
                code_ = process.wait()
            if os.geteuid() == 0:
                _wait_until_gone(uid)
        wall = time.perf_counter() - started
        setup_error = folder / "setup_error"
        if setup_error.exists():
            raise SandboxUnavailable(
                f"the code sandbox could not be built ({setup_error.read_text()[:200]}); it needs "
                "Linux namespaces: run as root, or enable unprivileged user namespaces "
                "(sysctl kernel.unprivileged_userns_clone=1, or on Ubuntu "
                "kernel.apparmor_restrict_unprivileged_userns=0). Generated code is never run "
                "without the sandbox"
            )
        stdout = _read_capped(folder / "stdout", limits.output_bytes)
        stderr = _read_capped(folder / "stderr", limits.output_bytes)
    status = _status(code_, stderr, timed_out=timed_out)
    reason = ""
    if timed_out:
        reason = f"killed after {limits.wall_s:g} s wall time"
    elif code_ > 128:
        reason = f"killed by {signal.Signals(code_ - 128).name}"
    return SandboxResult(status, code_, stdout, stderr, wall, reason)


def run_many(
    programs: Sequence[str], limits: SandboxLimits | None = None, *, workers: int = 2
) -> list[SandboxResult]:
    """Run each program in its own jail, ``workers`` at a time, results in input order."""
    if not programs:
        return []
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        return list(pool.map(lambda code: run_python(code, limits), programs))


def _wait_until_gone(uid: int, patience_s: float = 5.0) -> None:
    """Wait until no process of ``uid`` is left (the kernel kills a dead namespace's
    processes asynchronously), so a result means the jail is gone and its uid free again."""
    deadline = time.monotonic() + patience_s
    while _live_processes(uid) and time.monotonic() < deadline:
        time.sleep(0.01)


def _live_processes(uid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                if os.stat(f"/proc/{entry}").st_uid == uid:
                    found.append(int(entry))
            except OSError:
                pass  # it ended while we looked
    return found


def _read_capped(path: Path, limit: int) -> str:
    with open(path, "rb") as f:
        return f.read(limit).decode("utf-8", errors="replace")


def _status(exit_code: int, stderr: str, *, timed_out: bool) -> Status:
    if timed_out:
        return "timeout"
    if exit_code == 0:
        return "ok"
    if exit_code == 128 + signal.SIGXCPU or (
        exit_code == 128 + signal.SIGKILL and "MemoryError" not in stderr
    ):
        return "cpu_limit"  # SIGXCPU at the soft limit, SIGKILL at the hard one
    # Python ignores SIGXFSZ, so a write past the file-size limit raises EFBIG instead.
    if exit_code == 128 + signal.SIGXFSZ or "File too large" in stderr:
        return "output_limit"
    if "MemoryError" in stderr:
        return "memory_limit"
    if exit_code > 128:
        return "killed"
    return "error"
