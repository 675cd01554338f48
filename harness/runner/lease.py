"""A run is owned by one process at a time: take its lease, keep it alive, let it go.

The lease lives in the run's row (host, pid, a random token, a heartbeat). A new run starts
with it; ``--resume`` takes it over from a failed or stale run with one conditional UPDATE,
so of two processes resuming the same run exactly one wins and the other changes nothing.
While the run works a background thread refreshes the heartbeat every
:data:`~harness.store.liveness.HEARTBEAT_INTERVAL_S`; every task commit and the final
write check the token, so a process that lost its run never writes into it again.

SIGTERM and SIGHUP do not kill the run mid-write: the handler asks it to stop, and the
runner stops before its next task, marking the run ``failed`` (resumable).
"""

from __future__ import annotations

import os
import signal
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import FrameType
from typing import Any

from harness.errors import HarnessError
from harness.store import LeaseLost, RunLease, Store, StoreLocation, open_store
from harness.store.liveness import HEARTBEAT_INTERVAL_S, heartbeat_age_s, run_state, this_host

STOP_SIGNALS: tuple[int, ...] = (signal.SIGTERM, signal.SIGHUP)


class RunStopped(HarnessError):
    """SIGTERM or SIGHUP asked the run to stop; it did so between tasks and is resumable."""

    def __init__(self, message: str, signum: int) -> None:
        super().__init__(message)
        self.exit_code = 128 + signum  # what a shell reports for a process ended by it


def new_lease(run_id: str) -> RunLease:
    """A fresh claim on ``run_id`` by this process, beating now."""
    return RunLease(
        run_id=run_id,
        status="running",
        lease_token=uuid.uuid4().hex,
        lease_host=this_host(),
        lease_pid=os.getpid(),
        heartbeat_at=datetime.now(UTC),
    )


def take_over(store: Store, run_id: str) -> tuple[RunLease, int]:
    """Take a failed or stale run for this process; refuse one that is alive elsewhere.

    Returns the lease and the number of the attempt it starts.
    """
    seen = store.get_lease(run_id)
    state = run_state(seen)
    if state == "complete":
        raise HarnessError(f"run {run_id} is already complete; nothing to resume")
    if state == "running":
        age = heartbeat_age_s(seen)
        raise HarnessError(
            f"run {run_id} is running in process {seen.lease_pid} on {seen.lease_host} "
            f"(heartbeat {age:.0f} s ago); wait for it to finish or stop that process first"
        )
    lease = new_lease(run_id)
    attempt = store.take_over(seen, lease)
    if attempt is None:
        now = store.get_lease(run_id)
        raise HarnessError(
            f"run {run_id} was just taken over by process {now.lease_pid} on {now.lease_host}; "
            "it is resuming there, nothing was changed here"
        )
    return lease, attempt


@dataclass
class HeldRun:
    """A lease this process holds while it works, and what the workers must look at."""

    lease: RunLease
    attempt: int
    lost: threading.Event = field(default_factory=threading.Event)
    stop_signal: int | None = None

    def check(self, next_task: str) -> None:
        """Raise before ``next_task`` if a signal asked the run to stop or the lease is lost."""
        if self.lost.is_set():
            raise LeaseLost(
                f"run {self.lease.run_id} was taken over by another process; stopped here "
                f"before task '{next_task}'"
            )
        if self.stop_signal is not None:
            name = signal.Signals(self.stop_signal).name
            raise RunStopped(
                f"run {self.lease.run_id} stopped by {name} before task '{next_task}'; "
                f"finished tasks are stored, resume with --resume {self.lease.run_id}",
                self.stop_signal,
            )


@contextmanager
def hold(
    location: StoreLocation,
    lease: RunLease,
    attempt: int,
    *,
    figures: Callable[[], tuple[float, int]],
    interval_s: float = HEARTBEAT_INTERVAL_S,
) -> Iterator[HeldRun]:
    """Heartbeat ``lease`` and turn SIGTERM/SIGHUP into a stop request while the block runs.

    ``figures`` gives this attempt's wall time and tokens so far, saved with each heartbeat,
    so an attempt that is later killed still leaves its share of the totals.
    """
    held = HeldRun(lease, attempt)
    done = threading.Event()
    beater = threading.Thread(
        target=_beat,
        args=(location, held, figures, done, interval_s),
        name=f"heartbeat-{lease.run_id}",
        daemon=True,
    )
    beater.start()
    try:
        with _stop_on_signals(held):
            yield held
    finally:
        done.set()
        beater.join()


def _beat(
    location: StoreLocation,
    held: HeldRun,
    figures: Callable[[], tuple[float, int]],
    done: threading.Event,
    interval_s: float,
) -> None:
    """The heartbeat thread: its own store connection (SQLite connections stay in their thread)."""
    store: Store | None = None
    try:
        while not done.wait(interval_s):
            try:
                store = store or open_store(location)
                wall, tokens = figures()
                beat = held.lease.model_copy(update={"heartbeat_at": datetime.now(UTC)})
                if not store.heartbeat(
                    beat, held.attempt, wall_time_s=wall, tokens_processed=tokens
                ):
                    held.lost.set()
                    return
            except Exception:  # a busy store misses one beat, not the run
                continue
    finally:
        if store is not None:
            store.close()


@contextmanager
def _stop_on_signals(held: HeldRun) -> Iterator[None]:
    """Install the stop handlers for the block only (main thread only), then restore them."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def ask_to_stop(signum: int, frame: FrameType | None) -> None:
        held.stop_signal = signum

    previous: dict[int, Any] = {}
    try:
        for signum in STOP_SIGNALS:
            previous[signum] = signal.signal(signum, ask_to_stop)
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
