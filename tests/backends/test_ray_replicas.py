"""Ray replicas on a local 2-CPU cluster: the same results as one process, through actor deaths.

The cluster starts once for the module (Ray takes seconds to start). Faults are real: a
replica's process exits (``os._exit``) or is killed for good (``ray.kill``) in the middle of
a shard, by HF backends below that die on their first generation call. A named Ray actor
hands out that one death, so exactly one replica dies however the shards fall.
"""

from __future__ import annotations

import importlib
import logging
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from ray_runs import assert_same_results, stored_run
from toy_suite import toy_options, write_toy_suite

from harness.backends.hf import HFBackend
from harness.backends.registry import BACKENDS
from harness.errors import HarnessError
from harness.runner import run_eval
from harness.store import open_store

# CI installs Ray (make setup-test): there a missing Ray must fail, not skip.
ray = importlib.import_module("ray") if os.environ.get("CI") else pytest.importorskip("ray")

FAULT_LATCH = "harness-test-fault-latch"


@ray.remote(num_cpus=0)
class FaultLatch:
    """Says yes to the first replica that asks whether to die, no to everyone after."""

    def __init__(self) -> None:
        self.claimed = 0

    def claim(self) -> bool:
        self.claimed += 1
        return self.claimed == 1

    def times_claimed(self) -> int:
        return self.claimed


def _my_turn_to_die() -> bool:
    return bool(ray.get(ray.get_actor(FAULT_LATCH).claim.remote()))


class ExitsOnce(HFBackend):
    """The first replica to generate exits mid-shard; Ray restarts it and retries the call."""

    def generate(self, requests, progress=None):  # type: ignore[no-untyped-def]
        if _my_turn_to_die():
            os._exit(1)
        return super().generate(requests, progress)


class KilledOnce(HFBackend):
    """The first replica to generate is killed for good mid-shard: no restart, no retry."""

    def generate(self, requests, progress=None):  # type: ignore[no-untyped-def]
        if _my_turn_to_die():
            ray.kill(ray.get_runtime_context().current_actor, no_restart=True)
            time.sleep(60)  # killed while it sleeps
        return super().generate(requests, progress)


class AlwaysKilled(HFBackend):
    """Every replica is killed for good on its first generation call."""

    def generate(self, requests, progress=None):  # type: ignore[no-untyped-def]
        ray.kill(ray.get_runtime_context().current_actor, no_restart=True)
        time.sleep(60)
        return super().generate(requests, progress)


@pytest.fixture(scope="module")
def cluster() -> Iterator[None]:
    """A local Ray cluster of 2 CPUs for this module; the fault backends travel by value."""
    ray.init(num_cpus=2, include_dashboard=False, logging_level=logging.WARNING)
    ray.cloudpickle.register_pickle_by_value(sys.modules[__name__])
    yield
    ray.cloudpickle.unregister_pickle_by_value(sys.modules[__name__])
    ray.shutdown()


@pytest.fixture(scope="module")
def toy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_toy_suite(tmp_path_factory.mktemp("toy"))


@pytest.fixture(scope="module")
def single_process(toy: Path, tiny_model: Any, tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The same run in this process: what every Ray run must reproduce."""
    store = tmp_path_factory.mktemp("single") / "s.db"
    report = run_eval(toy_options(toy, store), model=tiny_model)
    return stored_run(store, report.run_id)


@pytest.fixture()
def latch(cluster: None) -> Iterator[Any]:
    handle = FaultLatch.options(name=FAULT_LATCH).remote()
    yield handle
    ray.kill(handle)


def _fault_backend(monkeypatch: pytest.MonkeyPatch, cls: type) -> str:
    name = f"hf-{cls.__name__.lower()}"
    monkeypatch.setitem(BACKENDS, name, f"{__name__}:{cls.__name__}")
    return name


def test_two_replicas_store_what_one_process_stores(
    cluster: None, toy: Path, single_process: Any, tmp_path: Path
) -> None:
    store = tmp_path / "s.db"
    report = run_eval(toy_options(toy, store, ray="auto", replicas=2))
    got = stored_run(store, report.run_id)
    assert got["status"] == "complete"
    assert got["device"] == "ray: 2 replicas on 1 node, cpu"
    assert_same_results(got, single_process)


def test_a_replica_that_exits_mid_shard_is_restarted_and_its_shard_retried(
    cluster: None,
    latch: Any,
    toy: Path,
    single_process: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    backend = _fault_backend(monkeypatch, ExitsOnce)
    store = tmp_path / "s.db"
    report = run_eval(toy_options(toy, store, backend=backend, ray="auto", replicas=2))
    assert ray.get(latch.times_claimed.remote()) >= 3  # one death, then the retry and others
    got = stored_run(store, report.run_id)
    assert got["status"] == "complete"
    assert_same_results(got, single_process)


def test_a_replica_killed_for_good_has_its_shard_rerun_on_another(
    cluster: None,
    latch: Any,
    toy: Path,
    single_process: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    backend = _fault_backend(monkeypatch, KilledOnce)
    store = tmp_path / "s.db"
    with caplog.at_level(logging.WARNING, logger="harness.backends.ray_replicas"):
        report = run_eval(toy_options(toy, store, backend=backend, ray="auto", replicas=2))
    assert "a Ray replica died for good (1 of 2 left)" in caplog.text
    got = stored_run(store, report.run_id)
    assert got["status"] == "complete"
    assert_same_results(got, single_process)


def test_when_every_replica_dies_the_run_fails_in_one_line_and_resumes(
    cluster: None,
    toy: Path,
    single_process: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    backend = _fault_backend(monkeypatch, AlwaysKilled)
    store = tmp_path / "s.db"
    with pytest.raises(HarnessError) as raised:
        run_eval(toy_options(toy, store, backend=backend, ray="auto", replicas=2))
    message = str(raised.value)
    assert message.startswith("every Ray replica died (2 started") and "\n" not in message
    with open_store(store) as opened:
        (run,) = opened.list_runs()
        assert run.status == "failed"
        assert opened.completed_tasks(run.run_id) == {"toy_mc"}  # committed before the deaths
    # The same backend name, now a plain in-process HF backend: the run resumes to the end.
    monkeypatch.setitem(BACKENDS, backend, "harness.backends.hf:HFBackend")
    run_eval(toy_options(toy, store, backend=backend, resume=run.run_id))
    got = stored_run(store, run.run_id)
    assert got["status"] == "complete"
    assert_same_results(got, single_process)


def test_an_error_inside_a_replica_reaches_the_user_as_in_one_process(
    cluster: None, toy: Path, tmp_path: Path
) -> None:
    with pytest.raises(HarnessError) as in_process:
        run_eval(toy_options(toy, tmp_path / "a.db", model="no-such-model"))
    with pytest.raises(HarnessError) as on_ray:
        run_eval(toy_options(toy, tmp_path / "b.db", model="no-such-model", ray="auto", replicas=2))
    assert str(on_ray.value) == str(in_process.value)


def test_more_replicas_than_the_cluster_holds_fail_at_once(
    cluster: None, toy: Path, tmp_path: Path
) -> None:
    with pytest.raises(HarnessError, match=r"--replicas 3 needs 3 CPUs, one per replica; .* has 2"):
        run_eval(toy_options(toy, tmp_path / "s.db", ray="auto", replicas=3))
