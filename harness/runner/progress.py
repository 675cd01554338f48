"""One progress bar for a whole run: items done of all tasks, items/s, tokens/s, current task."""

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

    def start_task(self, name: str, n_items: int, n_requests: int) -> None:
        """Label the bar with the task now running and set how requests map to its items."""
        self._items_per_request = n_items / n_requests if n_requests else 1.0
        self._bar.set_description_str(name, refresh=True)

    def __call__(self, requests: int, tokens: int) -> None:
        self._tokens += tokens
        elapsed = max(time.perf_counter() - self._started, 1e-9)
        self._bar.set_postfix_str(f"{self._tokens / elapsed:,.0f} tok/s", refresh=False)
        self._bar.update(requests * self._items_per_request)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._bar.close()
