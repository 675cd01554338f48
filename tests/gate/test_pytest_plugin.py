"""The pytest plugin: a benchmark file run by `pytest -p harness` on a tiny random model."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from gate_runs import write_toy_suite

from harness.store import open_store


@pytest.fixture(scope="module")
def bench(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("bench")
    suite = write_toy_suite(root)
    (root / "test_toy_bench.py").write_text(
        textwrap.dedent(f"""\
        def test_toy(harness_eval, assert_no_regression):
            run = harness_eval({str(suite)!r}, tasks=["toy_mc"])
            assert run.samples and run.score("toy_mc", "acc") >= 0.0
            assert_no_regression(run, margins={{"acc": 0.0}})
        """)
    )
    return root


def _pytest(
    bench: Path, capsys: pytest.CaptureFixture[str], *extra: str, store: str | None = None
) -> tuple[int, str]:
    """Run the benchmark file in a nested pytest session, in process (no second torch import)."""
    code = pytest.main(
        [
            str(bench / "test_toy_bench.py"), "-p", "harness", "-q", "--rootdir", str(bench),
            "-p", "no:cacheprovider", "--harness-model", "tiny-random-llama",
            "--harness-store", store or str(bench / "b.db"),
            "--harness-data-dir", str(bench / "data"), *extra,
        ]
    )  # fmt: skip
    return int(code), capsys.readouterr().out


def test_a_benchmark_passes_against_its_own_model_and_its_runs_are_stored(
    bench: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = _pytest(bench, capsys, "--harness-baseline", "tiny-random-llama")
    assert code == 0, out
    with open_store(bench / "b.db") as store:
        runs = store.list_runs()
        decisions = store.get_gate_decisions()
    # First session: the candidate, then its baseline (none was stored yet).
    assert [r.model_spec for r in runs] == ["tiny-random-llama", "tiny-random-llama"]
    assert [d.verdict for d in decisions] == ["pass"]


def test_a_benchmark_stores_its_runs_and_decision_in_a_postgresql_store(
    bench: Path, capsys: pytest.CaptureFixture[str], postgres_url: str
) -> None:
    code, out = _pytest(
        bench, capsys, "--harness-baseline", "tiny-random-llama", store=postgres_url
    )
    assert code == 0, out
    with open_store(postgres_url) as store:
        assert len(store.list_runs()) == 2
        assert [d.verdict for d in store.get_gate_decisions()] == ["pass"]


def test_an_impossible_margin_fails_the_benchmark_with_the_table(
    bench: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = _pytest(
        bench, capsys, "--harness-baseline", "tiny-random-llama", "--harness-margin", "acc=-0.5"
    )
    assert code == 1
    assert "regress against baseline run" in out
    assert "95% CI" in out and "verdict: REGRESS" in out


def test_without_a_baseline_the_benchmark_fails_and_says_how_to_name_one(
    bench: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = _pytest(bench, capsys)
    assert code == 1
    assert "no baseline to compare with: pass --harness-baseline RUN_OR_MODEL" in out


def test_a_mistyped_baseline_is_an_error_not_a_model_name(
    bench: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with open_store(bench / "b.db") as store:
        before = len(store.list_runs())
    code, out = _pytest(bench, capsys, "--harness-baseline", "tiny-random-lama")
    assert code == 1
    assert "baseline 'tiny-random-lama' is neither a run in" in out
    assert "did you mean 'tiny-random-llama'" in out or "unknown model" in out
    with open_store(bench / "b.db") as store:
        assert len(store.list_runs()) == before + 1  # the candidate only, no baseline run
