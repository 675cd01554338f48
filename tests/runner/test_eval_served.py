"""``harness eval --backend openai``: a run against a real HTTP server on loopback.

The server is the scripted toy model of ``tests/loopback_server.py`` (an aligned echo, " ok"
for generation), so these tests check the runner's side: the backend comes from the table,
the run records the served model's identity, the key never reaches the store, and a run
through the CLI lands on the leaderboard like any other.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest
from loopback_server import ScriptedServer, toy_answer

from harness.cli.main import main
from harness.errors import HarnessError
from harness.runner import EvalOptions, run_eval
from harness.store import open_store

SECRET = "sk-test-4f9a1c0e-do-not-store"


@pytest.fixture()
def server() -> Iterator[ScriptedServer]:
    scripted = ScriptedServer()
    yield scripted
    scripted.close()


def _options(
    toy_suite: Path, store: Path, server: ScriptedServer, **changes: object
) -> EvalOptions:
    options = EvalOptions(
        model="toy",
        suite=str(toy_suite),
        data_dir=str(toy_suite.parent.parent / "data"),
        store=store,
        progress=False,
        backend="openai",
        base_urls=[server.url],
    )
    for key, value in changes.items():
        setattr(options, key, value)
    return options


def test_a_served_run_is_stored_with_the_served_identity(
    toy_suite: Path, tmp_path: Path, server: ScriptedServer
) -> None:
    report = run_eval(_options(toy_suite, tmp_path / "s.db", server))
    with open_store(tmp_path / "s.db") as store:
        run = store.get_run(report.run_id)
        model = store.get_model(run.model_hash)
        samples = store.get_samples(run.run_id, "toy_gen")
    assert run.status == "complete" and run.device == "served"
    assert run.config["backend"] == "openai"
    assert model.details["model_id"] == "toy" and model.details["endpoints"] == [server.url]
    assert len(model.details["fingerprint"]) == 16 and model.dtype == "served"
    assert [s.prediction for s in samples] == [" ok", " ok"]


def test_the_same_name_with_other_answers_is_another_model(
    toy_suite: Path, tmp_path: Path, server: ScriptedServer
) -> None:
    first = run_eval(_options(toy_suite, tmp_path / "s.db", server))

    def other_answers(path: str, payload: dict) -> dict:  # type: ignore[type-arg]
        answer = server_answer(path, payload)
        if not payload.get("echo") and "choices" in answer:
            answer["choices"][0]["text"] = " different"
        return answer

    server_answer = server.answer
    server.answer = other_answers
    second = run_eval(_options(toy_suite, tmp_path / "s.db", server))
    with open_store(tmp_path / "s.db") as store:
        hashes = {store.get_run(r.run_id).model_hash for r in (first, second)}
    assert len(hashes) == 2


def test_the_api_key_reaches_the_server_but_never_the_store(
    toy_suite: Path, tmp_path: Path, server: ScriptedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TOY_API_KEY", SECRET)
    store_path = tmp_path / "s.db"
    report = run_eval(_options(toy_suite, store_path, server, api_key_env="TOY_API_KEY"))
    assert all(
        headers.get("Authorization") == f"Bearer {SECRET}" for _, headers, _ in server.requests
    )
    export = tmp_path / "export.json"
    assert (
        main(
            [
                "export",
                report.run_id,
                "--format",
                "lm-eval",
                "--out",
                str(export),
                "--store",
                str(store_path),
            ]
        )
        == 0
    )
    assert SECRET not in export.read_text()
    with closing(sqlite3.connect(store_path)) as db, db:
        for (table,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'"):
            for row in db.execute(f"SELECT * FROM {table}"):
                assert SECRET not in repr(row), table


def test_a_served_run_through_the_cli_shows_on_the_leaderboard(
    toy_suite: Path, tmp_path: Path, server: ScriptedServer, capsys: pytest.CaptureFixture[str]
) -> None:
    store_path = tmp_path / "s.db"
    argv = ["eval", "--backend", "openai", "--base-url", server.url, "--model", "toy"]
    argv += ["--suite", str(toy_suite), "--data-dir", str(tmp_path / "data")]
    argv += ["--store", str(store_path), "--no-progress"]
    assert main(argv) == 0
    from harness.leaderboard.snapshot import load_snapshot
    from harness.leaderboard.table import build_leaderboard

    with open_store(store_path) as store:
        board = build_leaderboard(load_snapshot(store))
    assert [row.name for row in board.rows] == ["toy"]


def test_a_base_url_without_the_openai_backend_is_refused(
    toy_suite: Path, tmp_path: Path, server: ScriptedServer
) -> None:
    with pytest.raises(HarnessError, match="--base-url is for served models; add --backend openai"):
        run_eval(
            _options(toy_suite, tmp_path / "s.db", server, backend="hf", model="tiny-random-llama")
        )
    assert not (tmp_path / "s.db").exists()


def test_an_unknown_backend_names_the_known_ones(
    toy_suite: Path, tmp_path: Path, server: ScriptedServer
) -> None:
    with pytest.raises(HarnessError, match="unknown backend 'opena1'; did you mean 'openai'"):
        run_eval(_options(toy_suite, tmp_path / "s.db", server, backend="opena1"))


def test_gate_refuses_a_served_name_that_stood_for_two_models(
    toy_suite: Path, tmp_path: Path, server: ScriptedServer, capsys: pytest.CaptureFixture[str]
) -> None:
    store_path = tmp_path / "s.db"
    first = run_eval(_options(toy_suite, store_path, server))
    original = server.answer

    def other_answers(path: str, payload: dict) -> dict:  # type: ignore[type-arg]
        answer = original(path, payload)
        if not payload.get("echo") and "choices" in answer:
            answer["choices"][0]["text"] = " different"
        return answer

    server.answer = other_answers
    run_eval(_options(toy_suite, store_path, server))
    suite = ["--suite", "toy", "--store", str(store_path)]
    assert main(["gate", "--baseline", "toy", "--candidate", first.run_id, *suite]) == 2
    err = capsys.readouterr().err
    assert "'toy' was served as 2 different models" in err and "pass run ids" in err


def test_replicas_that_answer_differently_are_refused(
    toy_suite: Path, tmp_path: Path, server: ScriptedServer
) -> None:
    def other_answers(path: str, payload: dict) -> dict:  # type: ignore[type-arg]
        answer = toy_answer(path, payload)
        if not payload.get("echo") and "choices" in answer:
            answer["choices"][0]["text"] = " different"
        return answer

    other = ScriptedServer(other_answers)
    try:
        with pytest.raises(HarnessError, match="the endpoints serve different models"):
            run_eval(
                _options(toy_suite, tmp_path / "s.db", server, base_urls=[server.url, other.url])
            )
    finally:
        other.close()
    assert not (tmp_path / "s.db").exists()


def test_replicas_of_one_model_share_the_run(
    toy_suite: Path, tmp_path: Path, server: ScriptedServer
) -> None:
    twin = ScriptedServer()
    try:
        report = run_eval(
            _options(toy_suite, tmp_path / "s.db", server, base_urls=[server.url, twin.url])
        )
    finally:
        twin.close()
    with open_store(tmp_path / "s.db") as store:
        run = store.get_run(report.run_id)
    assert run.status == "complete"
    assert server.completion_requests() > 0 and twin.completion_requests() > 0
