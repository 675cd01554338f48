"""Whether a ``running`` run is still alive: its heartbeat, and its holder's pid on this host.

A process killed with SIGKILL (or a machine that lost power) cannot mark its run failed, so
"stale" is derived, never stored: a run is stale when it says ``running`` but its heartbeat
is older than :data:`STALE_AFTER_S`, or its holder ran on this host and that pid is gone.
"""

from __future__ import annotations

import os
import socket
from datetime import UTC, datetime
from typing import Literal

from harness.store.records import RunLease

# The holder refreshes its heartbeat this often (harness.runner.lease runs the timer) ...
HEARTBEAT_INTERVAL_S = 10.0
# ... and a run whose heartbeat is older than this is taken for dead: six missed beats, so a
# busy machine or a long transaction does not make a live run look stale.
STALE_AFTER_S = 60.0

RunState = Literal["running", "stale", "complete", "failed"]


def this_host() -> str:
    return socket.gethostname()


def pid_alive(pid: int) -> bool:
    """Whether a process with this id exists on this machine (signal 0 only checks)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # it exists, owned by someone else
        return True
    return True


def run_state(lease: RunLease, *, now: datetime | None = None) -> RunState:
    """The run's status, with ``stale`` for a running run nobody is working on any more."""
    if lease.status != "running":
        return lease.status
    if lease.lease_token is None or lease.heartbeat_at is None:
        return "stale"  # stored by a harness without leases: nothing can be heartbeating it
    age = ((now or datetime.now(UTC)) - lease.heartbeat_at).total_seconds()
    if age > STALE_AFTER_S:
        return "stale"
    if lease.lease_host == this_host() and (
        lease.lease_pid is None or not pid_alive(lease.lease_pid)
    ):
        return "stale"
    return "running"


def heartbeat_age_s(lease: RunLease, *, now: datetime | None = None) -> float | None:
    """Seconds since the holder's last heartbeat, or None if it never beat."""
    if lease.heartbeat_at is None:
        return None
    return ((now or datetime.now(UTC)) - lease.heartbeat_at).total_seconds()
