"""The packaged SmolLM2 through the CLI: per-subject, per-category and overall scores, stored, repeatable."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.cli.main import main
from harness.store import open_store

pytestmark = pytest.mark.integration

SUBJECTS = "mmlu_abstract_algebra,mmlu_philosophy,mmlu_marketing"


def _eval(store: Path, capsys: pytest.CaptureFixture[str]) -> str:
    argv = [
        "eval",
        "--model",
        "smollm2-135m-instruct",
        "--suite",
        "mmlu",
        "--tasks",
        SUBJECTS,
        "--limit",
        "3",
        "--store",
        str(store),
        "--no-progress",
    ]
    assert main(argv) == 0
    return capsys.readouterr().out


def test_mmlu_prints_subject_category_and_overall_rows_and_repeats_exactly(
    shared_data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store_path = tmp_path / "s.db"
    first = _eval(store_path, capsys)
    for row in ("mmlu_philosophy", "[mmlu/stem]", "[mmlu/humanities]", "[mmlu/other]", "[mmlu]"):
        assert row in first
    second = _eval(store_path, capsys)
    table = lambda out: out.split("\nrun ")[0]  # noqa: E731 - the run id line differs, the table must not
    assert table(first) == table(second)
    with open_store(store_path) as store:
        runs = store.list_runs()
        assert len(runs) == 2
        for run in runs:
            assert len(store.get_samples(run.run_id)) == 9
            assert run.model_hash == runs[0].model_hash
            assert run.git_commit is None or len(run.git_commit) >= 40
        overall = {
            s.metric: s
            for s in store.get_scores(runs[0].run_id, scope="aggregate")
            if s.name == "mmlu"
        }
        assert overall["acc"].n == 9 and overall["acc"].ci_low is not None
