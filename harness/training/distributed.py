"""Where this process stands in an ``accelerate launch`` job, and who writes what.

Under ``accelerate launch`` (torchrun underneath) every process runs the whole recipe; the
Trainer splits the batches and averages the gradients. Files and the store are another
matter: the main process alone writes them (run folder, registry, printed report) and the
others wait for it at the points where they need what it wrote. A plain ``harness train``
is a world of one, where every helper here is a no-op and torch.distributed stays unused.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class World:
    """This process's rank among ``size`` processes (set by torchrun / accelerate launch)."""

    rank: int = 0
    size: int = 1

    @property
    def is_main(self) -> bool:
        return self.rank == 0

    @property
    def distributed(self) -> bool:
        return self.size > 1

    def barrier(self) -> None:
        """Wait until every process gets here (nothing to wait for in a world of one)."""
        if self.distributed:
            _state().wait_for_everyone()

    def from_main(self, value: T) -> T:
        """The main process's ``value`` in every process (a picklable object)."""
        if not self.distributed:
            return value
        from accelerate.utils import broadcast_object_list

        _state()
        box = [value]
        broadcast_object_list(box, from_process=0)
        return box[0]

    @contextmanager
    def main_first(self) -> Iterator[None]:
        """The main process runs the block first (writing what the others then read)."""
        if not self.is_main:
            self.barrier()
        yield
        if self.is_main:
            self.barrier()


def current_world() -> World:
    """The world this process was launched into, read from torchrun's environment."""
    return World(rank=int(os.environ.get("RANK", "0")), size=int(os.environ.get("WORLD_SIZE", "1")))


def launched() -> bool:
    """Whether this process is one of several started by a launcher (torchrun sets these)."""
    return "WORLD_SIZE" in os.environ and "LOCAL_RANK" in os.environ


def _state() -> Any:
    """accelerate's process state, which sets up torch.distributed once per process.

    The Trainer later builds the same (shared) state, so the group made here is the one
    training uses: gloo when no GPU is visible (``harness train --cpu`` hides them), NCCL
    otherwise.
    """
    import torch
    from accelerate import PartialState

    return PartialState(cpu=not torch.cuda.is_available())
