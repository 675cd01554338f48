"""A progress bar that shows items/s and tokens/s while a task runs."""

from __future__ import annotations

import sys
import time
from types import TracebackType
from typing import Self

from tqdm import tqdm


class TaskProgress:
    """tqdm over a task's requests; the backend reports (requests done, tokens) increments."""

    def __init__(self, label: str, total: int, *, enabled: bool = True) -> None:
        self._bar = tqdm(
            total=total,
            desc=label,
            unit="req",
            disable=not enabled,
            file=sys.stderr,
            dynamic_ncols=True,
            leave=False,
        )
        self._tokens = 0
        self._started = time.perf_counter()

    def __call__(self, items: int, tokens: int) -> None:
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
