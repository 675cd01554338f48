"""Torch's CPU threads follow the cores idle now; an explicit OMP_NUM_THREADS is kept."""

import os

import pytest
import torch

from harness.backends import cpu_threads
from harness.backends.cpu_threads import idle_cores, set_cpu_threads, threads_for


@pytest.mark.parametrize(
    ("cores", "idle", "threads"),
    [(2, 2.0, 2), (2, 1.6, 2), (2, 1.4, 1), (2, 0.0, 1), (16, 11.7, 12), (4, 9.0, 4)],
)
def test_threads_are_the_idle_cores_and_at_least_one(cores: int, idle: float, threads: int) -> None:
    assert threads_for(cores, idle) == threads


def test_idle_cores_are_read_from_the_kernel() -> None:
    idle = idle_cores(0.05)
    assert idle is not None
    assert 0.0 <= idle <= (os.cpu_count() or 1)


def test_an_explicit_thread_count_is_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OMP_NUM_THREADS", "1")
    before = torch.get_num_threads()
    assert set_cpu_threads() is None
    assert torch.get_num_threads() == before


def test_a_busy_machine_gets_one_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    monkeypatch.delenv("MKL_NUM_THREADS", raising=False)
    monkeypatch.setattr(cpu_threads, "idle_cores", lambda: 0.0)
    before = torch.get_num_threads()
    try:
        assert set_cpu_threads() == 1
        assert torch.get_num_threads() == 1
    finally:
        torch.set_num_threads(before)
