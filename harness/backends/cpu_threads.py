"""How many threads torch uses on a CPU: the cores this process may use that are idle now.

torch starts one OpenMP thread per core. When other processes keep those cores busy, its
threads are descheduled in turn and every parallel region waits at a barrier for the
slowest one: on the 2-core machine shared with other jobs, MMLU scoring ran 3 to 7 times
slower with 2 threads than with 1. On an idle machine every core is used, as before.

Idle cores are read from the kernel's CPU counters over a quarter of a second before the
work starts (not from the load average, which still counts the minute before, e.g. a run
that just ended). Measured here, the thread count does not change a single log-probability
(1 and 2 threads give the same floats), so a resumed run that picks another count still
gives the same numbers. An explicit ``OMP_NUM_THREADS`` or ``MKL_NUM_THREADS`` is the
user's choice and is kept.
"""

from __future__ import annotations

import logging
import os
import time
from pathlib import Path

logger = logging.getLogger(__name__)
EXPLICIT = ("OMP_NUM_THREADS", "MKL_NUM_THREADS")
SAMPLE_S = 0.25
_STAT = Path("/proc/stat")


def threads_for(cores: int, idle_cores: float) -> int:
    """Threads for ``cores`` usable cores of which ``idle_cores`` are idle: the idle ones
    (rounded), at least one."""
    return max(1, min(cores, round(idle_cores)))


def usable_cores() -> int:
    """Cores this process may run on (its affinity mask, else the machine's count)."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def idle_cores(seconds: float = SAMPLE_S) -> float | None:
    """How many of the machine's cores were idle over the next ``seconds`` (None where the
    kernel does not say: not Linux)."""
    first = _cpu_times()
    if first is None:
        return None
    time.sleep(seconds)
    second = _cpu_times()
    if second is None:
        return None
    total = sum(second) - sum(first)
    idle = (second[3] + second[4]) - (first[3] + first[4])  # idle + iowait
    return (os.cpu_count() or 1) * idle / total if total > 0 else None


def _cpu_times() -> list[int] | None:
    """The aggregate ``cpu`` line of /proc/stat: user nice system idle iowait irq ..."""
    try:
        fields = _STAT.read_text().splitlines()[0].split()
    except OSError:
        return None
    if not fields or fields[0] != "cpu" or len(fields) < 6:
        return None
    return [int(value) for value in fields[1:]]


def set_cpu_threads() -> int | None:
    """Set torch's thread count to the cores idle now, unless the user chose one; the
    count, or None when left alone."""
    if any(os.environ.get(name) for name in EXPLICIT):
        return None
    idle = idle_cores()
    if idle is None:
        return None
    import torch

    cores = usable_cores()
    threads = threads_for(cores, min(idle, cores))
    if threads != torch.get_num_threads():
        logger.info("%.1f of %d cores idle: scoring with %d torch threads", idle, cores, threads)
        torch.set_num_threads(threads)
    return threads
