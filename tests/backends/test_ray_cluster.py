"""Ray replicas reached by address: a bad ``--ray`` fails in one line, a two-node cluster works.

The address tests run before this module's cluster exists, with no Ray connection in this
process, so ``--ray ADDRESS`` really goes through the connection path. The cluster is
``ray.cluster_utils.Cluster``: two simulated nodes of one CPU each on this machine, joined
by address exactly as ``ray start --address`` joins real machines.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from ray_runs import assert_same_results, stored_run
from toy_suite import toy_options

from harness.cli.main import main
from harness.errors import HarnessError
from harness.runner import run_eval
from harness.store import open_store

# CI installs Ray (make setup-test): there a missing Ray must fail, not skip.
ray = importlib.import_module("ray") if os.environ.get("CI") else pytest.importorskip("ray")
from ray.cluster_utils import Cluster  # noqa: E402 - after the skip when Ray is absent


def _eval_fails_in_one_line(
    suite: Path, store: Path, capsys: pytest.CaptureFixture[str], *flags: str
) -> str:
    code = main(
        [
            "eval",
            "--model",
            "tiny-random-llama",
            "--suite",
            str(suite),
            "--data-dir",
            str(suite.parent.parent / "data"),
            "--store",
            str(store),
            "--no-progress",
            *flags,
        ]
    )
    err = capsys.readouterr().err.strip()
    assert code == 2
    assert len(err.splitlines()) == 1, err
    with open_store(store) as opened:
        assert opened.list_runs() == []
    return err


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        ("127.0.0.1:1", "--ray 127.0.0.1:1: no Ray head answers there (Connection refused)"),
        ("headnode", "--ray headnode: not a Ray address; pass auto, HOST:PORT"),
    ],
)
def test_a_bad_ray_address_fails_in_one_line(
    address: str, expected: str, toy_suite: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert not ray.is_initialized()
    store = tmp_path / "s.db"
    open_store(store).close()
    err = _eval_fails_in_one_line(toy_suite, store, capsys, "--ray", address, "--replicas", "2")
    assert expected in err
    assert not ray.is_initialized()


def test_replicas_without_ray_fail_in_one_line(toy_suite: Path, tmp_path: Path) -> None:
    with pytest.raises(HarnessError, match="--replicas needs --ray"):
        run_eval(toy_options(toy_suite, tmp_path / "s.db", replicas=2))


@pytest.fixture(scope="module")
def two_nodes() -> Iterator[Cluster]:
    cluster = Cluster(initialize_head=True, head_node_args={"num_cpus": 1})
    cluster.add_node(num_cpus=1)
    cluster.wait_for_nodes()
    yield cluster
    ray.shutdown()
    cluster.shutdown()


def test_two_simulated_nodes_store_what_one_process_stores(
    two_nodes: Cluster, toy_suite: Path, tmp_path: Path, tiny_model: Any
) -> None:
    single = run_eval(toy_options(toy_suite, tmp_path / "one.db"), model=tiny_model)
    report = run_eval(
        toy_options(toy_suite, tmp_path / "ray.db", ray=two_nodes.address, replicas=2)
    )
    got = stored_run(tmp_path / "ray.db", report.run_id)
    assert got["status"] == "complete"
    assert got["device"] == "ray: 2 replicas on 2 nodes, cpu"  # one replica per node
    assert_same_results(got, stored_run(tmp_path / "one.db", single.run_id))
