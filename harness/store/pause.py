"""Test-only pause points, so a kill-and-resume test can SIGKILL a run at a known moment.

``HARNESS_TEST_PAUSE_AT=POINT`` (several separated by commas) makes the process print
``harness-test: paused at POINT`` to stderr and sleep when it reaches ``POINT``; the test
kills it there. Points: ``start:NAME`` (between tasks, before NAME starts), ``task:NAME``
(mid-task, after the model answered, before scoring), ``commit:NAME`` (inside the task's
transaction, before COMMIT) and ``complete`` (inside the transaction that writes the suite
aggregates and marks the run complete); in training, ``train-step:N`` (right after optimiser
step N, see ``harness.training.callbacks.PauseAtStep``). Unset, it costs one environment lookup. Never set
it outside tests.
"""

from __future__ import annotations

import os
import sys
import time

PAUSE_ENV = "HARNESS_TEST_PAUSE_AT"
PAUSE_SECONDS = 600.0


def pause_at(point: str) -> None:
    """Sleep at ``point`` when the test environment variable names it."""
    wanted = os.environ.get(PAUSE_ENV)
    if not wanted or point not in wanted.split(","):
        return
    print(f"harness-test: paused at {point}", file=sys.stderr, flush=True)
    time.sleep(PAUSE_SECONDS)
