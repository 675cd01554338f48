"""Each bad input a new user might type: one line naming problem and fix, exit 2, store untouched."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.cli.main import main
from harness.store import open_store


@pytest.fixture()
def store(tmp_path: Path) -> Path:
    path = tmp_path / "store.db"
    open_store(path).close()
    return path


def _fails_cleanly(
    argv: list[str], store: Path, capsys: pytest.CaptureFixture[str], expected: str
) -> None:
    with open_store(store) as before_store:
        before = before_store.count_rows()
    code = main([*argv, "--store", str(store), "--no-progress"])
    err = capsys.readouterr().err.strip()
    assert code == 2
    assert len(err.splitlines()) == 1, err
    assert err.startswith("harness: error: ")
    assert expected in err
    with open_store(store) as after_store:
        assert after_store.count_rows() == before


def _eval(suite: Path, *extra: str) -> list[str]:
    return [
        "eval",
        "--model",
        "tiny-random-llama",
        "--suite",
        str(suite),
        "--data-dir",
        str(suite.parent.parent / "data"),
        *extra,
    ]


def test_malformed_yaml(toy_suite: Path, store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    task_file = toy_suite.parent / "tasks" / "toy_mc.yaml"
    task_file.write_text(
        task_file.read_text().replace("output_type: multiple_choice", "output_type: [oops")
    )
    _fails_cleanly(_eval(toy_suite), store, capsys, "malformed YAML")


def test_unknown_task(toy_suite: Path, store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _fails_cleanly(
        _eval(toy_suite, "--tasks", "toy_nope"), store, capsys, "suite 'toy' has no task 'toy_nope'"
    )


def test_unknown_metric(toy_suite: Path, store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    task_file = toy_suite.parent / "tasks" / "toy_mc.yaml"
    task_file.write_text(task_file.read_text().replace("[acc, acc_norm]", "[acc, f2]"))
    _fails_cleanly(
        _eval(toy_suite), store, capsys, "unknown metric 'f2'; known for multiple_choice: acc"
    )


def test_unknown_template_variable(
    toy_suite: Path, store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    task_file = toy_suite.parent / "tasks" / "toy_mc.yaml"
    task_file.write_text(task_file.read_text().replace("{{ q }}", "{{ question }}"))
    _fails_cleanly(_eval(toy_suite), store, capsys, "'question' is undefined")


def test_missing_data_file(
    toy_suite: Path, store: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    empty = tmp_path / "empty_root"
    empty.mkdir()
    argv = [
        "eval",
        "--model",
        "tiny-random-llama",
        "--suite",
        str(toy_suite),
        "--data-dir",
        str(empty),
    ]
    _fails_cleanly(argv, store, capsys, "data file")


def test_unknown_model(toy_suite: Path, store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = _eval(toy_suite)
    argv[argv.index("tiny-random-llama")] = "no-such-model"
    _fails_cleanly(argv, store, capsys, "unknown model 'no-such-model'")


def test_bad_gen_key(toy_suite: Path, store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _fails_cleanly(
        _eval(toy_suite, "--gen", "max_tokens=5"), store, capsys, "--gen: unknown key 'max_tokens'"
    )


def test_bad_gen_value(toy_suite: Path, store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _fails_cleanly(
        _eval(toy_suite, "--gen", "temperature=-1"), store, capsys, "bad value for 'temperature'"
    )


def test_empty_dataset(toy_suite: Path, store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (toy_suite.parent.parent / "data" / "toy" / "gen.jsonl").write_text("")
    _fails_cleanly(_eval(toy_suite), store, capsys, "split 'test' is empty")


def test_unknown_suite(store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _fails_cleanly(
        ["eval", "--model", "tiny-random-llama", "--suite", "nope"],
        store,
        capsys,
        "unknown suite 'nope'",
    )


def test_show_unknown_run(store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["show", "ffff", "--store", str(store)]) == 2
    assert "no run matches 'ffff'" in capsys.readouterr().err


def test_read_commands_do_not_create_a_store(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "typo.db"
    assert main(["runs", "--store", str(missing)]) == 2
    assert not missing.exists()
