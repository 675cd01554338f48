"""One progress bar for a whole run: items done of all tasks, items/s, tokens/s, current task.

Tasks scored together in one stream (:mod:`harness.runner.task_stream`) run at once: the
bar then names how many of them are committed and the last one that was.
"""

from __future__ import annotations

import sys
import time
from types import TracebackType
from typing import Self

from tqdm import tqdm


class RunProgress:
    """tqdm over the run's items; backends report (requests done, tokens) increments.

    A task's items may each hold several requests (one per choice), so request counts are
    scaled to items: the bar's rate is then items/s, which is what a user can relate to the
    size of a benchmark.
    """

    def __init__(self, total_items: int, *, enabled: bool = True) -> None:
        self._bar = tqdm(
            total=total_items,
            unit="item",
            disable=not enabled,
            file=sys.stderr,
            dynamic_ncols=True,
            bar_format="{desc} {percentage:3.0f}%|{bar}| {n:.0f}/{total} [{elapsed}<{remaining}, {rate_fmt}{postfix}]",
        )
        self._tokens = 0
        self._started = time.perf_counter()
        self._items_per_request = 1.0
        self._stream_tasks = 0
        self._stream_done = 0

    def start_task(self, name: str, n_items: int, n_requests: int) -> None:
        """Label the bar with the task now running and set how requests map to its items."""
        self._items_per_request = n_items / n_requests if n_requests else 1.0
        self._bar.set_description_str(name, refresh=True)

    def start_stream(self, n_tasks: int) -> None:
        """Label the bar for ``n_tasks`` tasks scored together."""
        self._stream_tasks, self._stream_done = n_tasks, 0
        self._bar.set_description_str(f"{n_tasks} tasks in one stream", refresh=True)

    def task_committed(self, name: str) -> None:
        """Count a task of the stream as committed, and name it on the bar."""
        self._stream_done += 1
        self._bar.set_description_str(
            f"{self._stream_done}/{self._stream_tasks} tasks committed (last {name})", refresh=True
        )

    def __call__(self, requests: int, tokens: int) -> None:
        """A backend's report for the task now running: requests done and tokens run."""
        self.advance(requests * self._items_per_request, tokens)

    def advance(self, items: float, tokens: int) -> None:
        """``items`` more items done, ``tokens`` more tokens run."""
        self._tokens += tokens
        elapsed = max(time.perf_counter() - self._started, 1e-9)
        self._bar.set_postfix_str(f"{self._tokens / elapsed:,.0f} tok/s", refresh=False)
        self._bar.update(items)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._bar.close()
