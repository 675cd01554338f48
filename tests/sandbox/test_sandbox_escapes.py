"""The code sandbox: each escape attempt is contained and comes back as that run's error.

Every test runs real code in a real jail (namespaces, rlimits, a tmpfs root); limits are
small so each takes at most about two seconds on a loaded two-core machine.
"""

from __future__ import annotations

import contextlib
import os
import socket
import threading
from pathlib import Path

import pytest

from harness.paths import repo_root
from harness.sandbox import SandboxLimits, run_many, run_python

FAST = SandboxLimits(wall_s=4.0, cpu_s=1, processes=8)


def _processes_of_uids(low: int, high: int) -> list[int]:
    """Pids of live processes whose real uid lies in [low, high): the sandbox's uids."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            status = Path(f"/proc/{entry}/status").read_text()
        except OSError:
            continue
        uid = int(next(line for line in status.splitlines() if line.startswith("Uid:")).split()[1])
        if low <= uid < high:
            found.append(int(entry))
    return found


def _sandbox_uid_range() -> tuple[int, int]:
    from harness.sandbox import run as sandbox_run

    return sandbox_run._UID_BASE, sandbox_run._UID_BASE + sandbox_run._UID_SLOTS


def test_a_clean_program_runs_and_its_output_comes_back() -> None:
    result = run_python("import math\nprint(math.factorial(5))", FAST)
    assert result.ok and result.error is None
    assert result.stdout == "120\n"


def test_the_environment_is_empty_and_the_folder_is_its_own() -> None:
    code = "import os\nprint(sorted(os.environ), os.getcwd(), sorted(os.listdir('/')))"
    result = run_python(code, FAST)
    assert result.ok, result.error
    # LC_CTYPE is the one variable the interpreter sets for itself (PEP 538), not inherited.
    assert result.stdout.split("] ")[0] + "]" in ("[]", "['LC_CTYPE']")
    assert "/sandbox" in result.stdout
    assert "work" not in result.stdout.split("/sandbox")[1]  # no host folders in the root


def test_an_exception_is_the_runs_error() -> None:
    result = run_python("raise ValueError('bad completion')", FAST)
    assert result.status == "error"
    assert result.error == "error: ValueError: bad completion"


def test_an_infinite_loop_stops_at_the_cpu_limit() -> None:
    result = run_python("while True:\n    pass", FAST)
    assert result.status == "cpu_limit"
    assert result.wall_s < FAST.wall_s
    assert "SIGXCPU" in (result.error or "") or "SIGKILL" in (result.error or "")


def test_a_sleeping_program_stops_at_the_wall_time() -> None:
    result = run_python("import time\ntime.sleep(60)", SandboxLimits(wall_s=1.0, cpu_s=1))
    assert result.status == "timeout"
    assert result.error == "timeout: killed after 1 s wall time"
    assert result.wall_s < 5


def test_a_fork_bomb_is_contained_and_leaves_no_process_behind() -> None:
    bomb = (
        "import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        pass\n"
    )
    result = run_python(bomb, SandboxLimits(wall_s=1.5, cpu_s=1, processes=8))
    assert not result.ok
    assert result.status in ("timeout", "cpu_limit")
    assert _processes_of_uids(*_sandbox_uid_range()) == []


def test_a_plain_fork_bomb_fails_at_the_process_limit() -> None:
    result = run_python("import os\nwhile True:\n    os.fork()\n", FAST)
    assert result.status == "error"
    assert "BlockingIOError" in (result.error or "")
    assert _processes_of_uids(*_sandbox_uid_range()) == []


def test_a_10_gb_allocation_is_a_memory_error() -> None:
    result = run_python("block = bytearray(10 * 1024**3)\nprint('allocated')", FAST)
    assert result.status == "memory_limit"
    assert "allocated" not in result.stdout
    assert result.error == "memory_limit: MemoryError"


def test_endless_output_stops_at_the_output_limit() -> None:
    limits = SandboxLimits(wall_s=4.0, cpu_s=2, output_bytes=64 * 1024)
    result = run_python("while True:\n    print('x' * 1000)", limits)
    assert result.status == "output_limit"
    assert len(result.stdout) <= limits.output_bytes


def test_too_many_open_files_fail() -> None:
    code = "import os\nfiles = [open('/dev/null') for _ in range(100)]"
    result = run_python(code, SandboxLimits(wall_s=4.0, cpu_s=1, open_files=32))
    assert result.status == "error"
    assert "Too many open files" in (result.error or "")


def test_a_write_to_the_repository_fails_and_writes_nothing(tmp_path: Path) -> None:
    root = repo_root()
    assert root is not None
    target = root / "sandbox_escape_marker.txt"
    code = f"open({str(target)!r}, 'w').write('escaped')"
    result = run_python(code, FAST)
    assert result.status == "error"
    assert "FileNotFoundError" in (result.error or "")
    assert not target.exists()


def test_writes_outside_the_working_folder_fail() -> None:
    code = (
        "import os\nopen('mine.txt', 'w').write('kept inside')\n"
        "for path in ('/escape.txt', '/usr/escape.txt', '/dev/escape.txt'):\n"
        "    try:\n        open(path, 'w')\n        print('WROTE', path)\n"
        "    except OSError as exc:\n        print('refused', path, type(exc).__name__)\n"
    )
    result = run_python(code, FAST)
    assert result.ok, result.error
    assert "WROTE" not in result.stdout
    assert result.stdout.count("refused") == 3
    assert not Path("/escape.txt").exists()


def test_reading_the_harness_store_fails(tmp_path: Path) -> None:
    from harness.store import open_store

    path = tmp_path / "results.db"
    with open_store(path):
        pass
    os.chmod(path, 0o644)  # readable by anyone on the host: the jail still must not see it
    result = run_python(f"print(open({str(path)!r}, 'rb').read(16))", FAST)
    assert result.status == "error"
    assert "FileNotFoundError" in (result.error or "")
    assert "SQLite" not in result.stdout


def test_a_socket_to_a_listening_loopback_port_cannot_connect() -> None:
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    server.settimeout(3.0)
    port = server.getsockname()[1]
    accepted: list[object] = []

    def accept() -> None:
        with contextlib.suppress(OSError):  # shutdown() ends the wait with an error
            accepted.append(server.accept())

    waiter = threading.Thread(target=accept)
    waiter.start()
    code = (
        "import socket\n"
        f"s = socket.create_connection(('127.0.0.1', {port}), timeout=2)\n"
        "s.sendall(b'escaped')\nprint('CONNECTED')\n"
    )
    try:
        result = run_python(code, FAST)
    finally:
        server.shutdown(socket.SHUT_RDWR)  # wakes the waiting accept()
        waiter.join()
        server.close()
    assert result.status == "error"
    assert "CONNECTED" not in result.stdout
    assert "Network is unreachable" in (result.error or "")
    assert accepted == []


def test_each_run_of_many_is_judged_alone() -> None:
    results = run_many(["print('a')", "raise SystemExit(3)", "print('c')"], FAST, workers=2)
    assert [r.status for r in results] == ["ok", "error", "ok"]
    assert [r.stdout for r in results] == ["a\n", "", "c\n"]


SYSTEM_PYTHON = Path("/usr/bin/python3")


@pytest.mark.skipif(os.geteuid() != 0, reason="checks the unprivileged path from root")
@pytest.mark.skipif(not SYSTEM_PYTHON.exists(), reason="needs an interpreter any user may run")
def test_without_root_it_runs_in_a_user_namespace_or_refuses() -> None:
    """As an ordinary user the jail is built inside a user namespace; where the kernel allows
    none, the run raises SandboxUnavailable rather than running the code unjailed."""
    import subprocess

    probe = (
        "from harness.sandbox import run_python, SandboxUnavailable\n"
        "try:\n"
        "    r = run_python(\"import socket\\nsocket.create_connection(('127.0.0.1', 9), 1)\")\n"
        "    print('RAN', r.status, r.error)\n"
        "except SandboxUnavailable as exc:\n"
        "    print('REFUSED', exc)\n"
    )
    env = {"PYTHONPATH": str(repo_root()), "PATH": os.environ.get("PATH", "")}
    done = subprocess.run(
        [
            "setpriv",
            "--reuid=65534",
            "--regid=65534",
            "--clear-groups",
            str(SYSTEM_PYTHON),
            "-c",
            probe,
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd="/",
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert out.startswith("RAN error error: OSError: [Errno 101] Network is unreachable") or (
        out.startswith("REFUSED the code sandbox could not be built")
    ), out
