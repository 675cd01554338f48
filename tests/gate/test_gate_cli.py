"""`harness gate` and `harness compare` end to end on runs of tiny random models."""

from __future__ import annotations

import json
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from gate_runs import GateStore

from harness.cli.main import main
from harness.store import open_store

EXIT = {"pass": 0, "regress": 1, "inconclusive": 3}


def test_a_run_gated_against_itself_passes_and_the_decision_is_stored(
    gate_store: GateStore, capsys: pytest.CaptureFixture[str]
) -> None:
    with open_store(gate_store.path) as store:
        before = len(store.get_gate_decisions())
    code = main(
        ["gate", "--baseline", gate_store.first, "--candidate", gate_store.first,
         "--store", str(gate_store.path)]
    )  # fmt: skip
    out = capsys.readouterr().out
    assert code == 0
    assert "verdict: PASS" in out
    with open_store(gate_store.path) as store:
        decisions = store.get_gate_decisions()
    assert len(decisions) == before + 1
    decision = decisions[0]
    assert (decision.baseline_run_id, decision.candidate_run_id) == (
        gate_store.first,
        gate_store.first,
    )
    assert (decision.verdict, decision.exit_code, decision.policy) == (
        "pass",
        0,
        "fail-on-inconclusive",
    )


def test_runs_of_different_tasks_are_refused_with_one_line(
    gate_store: GateStore, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(
        ["gate", "--baseline", gate_store.mc_only, "--candidate", gate_store.gen_only,
         "--store", str(gate_store.path)]
    )  # fmt: skip
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1
    assert "share no task; compare two runs of the same suite and tasks" in err
    with open_store(gate_store.path) as store:
        assert store.get_gate_decisions(gate_store.gen_only) == []


def test_gate_writes_junit_and_json_that_agree_with_its_exit_code(
    gate_store: GateStore, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    junit, report = tmp_path / "out" / "gate.xml", tmp_path / "out" / "gate.json"
    code = main(
        ["gate", "--baseline", gate_store.first, "--candidate", gate_store.second,
         "--store", str(gate_store.path), "--junit", str(junit), "--json", str(report)]
    )  # fmt: skip
    payload = json.loads(report.read_text())
    assert code == EXIT[payload["verdict"]] == payload["exit_code"]
    assert (payload["baseline_run_id"], payload["candidate_run_id"]) == (
        gate_store.first,
        gate_store.second,
    )
    primary = [r for r in payload["rows"] if r["primary"]]
    assert {(r["name"], r["metric"]) for r in primary} == {
        ("toy_mc", "acc"),
        ("toy_mc", "acc_norm"),
        ("toy_gen", "exact_match"),
        ("toy_gen", "rouge1"),
        ("toy_gen", "bleu"),
    }
    suite = ET.parse(junit).getroot()
    assert suite.get("tests") == "5"
    assert f"verdict: {payload['verdict'].upper()}" in capsys.readouterr().out


def test_an_impossible_margin_makes_the_gate_exit_1(
    gate_store: GateStore, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(
        ["gate", "--baseline", gate_store.first, "--candidate", gate_store.first,
         "--store", str(gate_store.path), "--margin", "toy_mc.acc=-0.5"]
    )  # fmt: skip
    assert code == 1
    assert "verdict: REGRESS" in capsys.readouterr().out


def test_a_model_spec_stands_for_its_latest_run_with_the_same_items(
    gate_store: GateStore, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(
        ["compare", "--baseline", "tiny-random-llama", "--candidate", gate_store.second,
         "--store", str(gate_store.path)]
    )  # fmt: skip
    out = capsys.readouterr().out
    assert code == 0
    # The newest tiny-random-llama run is gen_only; the one with both tasks is `first`.
    assert f"baseline {gate_store.first}  candidate {gate_store.second}" in out


def test_two_model_specs_need_a_suite(
    gate_store: GateStore, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(
        ["gate", "--baseline", "tiny-random-llama", "--candidate", "tiny-random-llama:seed=1",
         "--store", str(gate_store.path)]
    )  # fmt: skip
    assert code == 2
    assert "is a model, not a run; add --suite" in capsys.readouterr().err
