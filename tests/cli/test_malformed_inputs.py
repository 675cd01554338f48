"""Malformed inputs across every command, as a new user would type them.

Each case: exit 2 (argparse usage errors too), a short message without a traceback that
contains the expected words, and every file under the test's folder byte-identical with
the same modification time afterwards (the store included, and nothing new created).
Placeholders in the argv: {store} a real store with one complete run of the toy suite,
{suite}/{data} the toy suite and its data root, {run} that run's id, {tmp} the folder.
"""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import pytest
from toy_suite import write_toy_suite

from harness.cli.main import main
from harness.runner import EvalOptions, run_eval
from harness.store import SCHEMA_VERSION

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def stored(tmp_path_factory: pytest.TempPathFactory, tiny_model) -> tuple[Path, str]:  # type: ignore[no-untyped-def]
    """A store with one complete run, built once and copied into each test's folder."""
    root = tmp_path_factory.mktemp("stored")
    suite = write_toy_suite(root)
    options = EvalOptions(
        model="tiny-random-llama",
        suite=str(suite),
        store=root / "s.db",
        progress=False,
        data_dir=str(root / "data"),
    )
    return root / "s.db", run_eval(options, model=tiny_model).run_id


@pytest.fixture()
def world(tmp_path: Path, stored: tuple[Path, str]) -> dict[str, str]:
    suite = write_toy_suite(tmp_path)
    shutil.copy(stored[0], tmp_path / "store.db")
    (tmp_path / "notes.txt").write_text("my notes, not a database\n")
    (tmp_path / "folder").mkdir()
    (tmp_path / "empty.db").write_bytes(b"")
    good = (tmp_path / "store.db").read_bytes()
    (tmp_path / "truncated.db").write_bytes(good[: len(good) // 2])
    (tmp_path / "corrupt.db").write_bytes(good[:4096] + b"\x13" * (len(good) - 4096))
    (tmp_path / "headerless.db").write_bytes(b"\0" * 100 + good[100:])
    shutil.copy(tmp_path / "store.db", tmp_path / "newer.db")
    with closing(sqlite3.connect(tmp_path / "newer.db")) as conn, conn:
        conn.execute("UPDATE schema_version SET version = ?", (SCHEMA_VERSION + 1,))
    conn.close()
    with closing(sqlite3.connect(tmp_path / "foreign.db")) as conn, conn:
        conn.execute("CREATE TABLE contacts (name TEXT)")
    conn.close()
    (tmp_path / "fake.gguf").write_text("not a gguf file\n")
    shutil.copytree(tmp_path / "data", tmp_path / "baddata")
    mc = tmp_path / "baddata" / "toy" / "test.jsonl"
    lines = mc.read_text().splitlines(keepends=True)
    mc.write_text(lines[0] + "{oops\n" + "".join(lines[1:]))
    shutil.copytree(tmp_path / "data", tmp_path / "listdata")
    (tmp_path / "listdata" / "toy" / "gen.jsonl").write_text("[1, 2]\n")
    return {
        "store": str(tmp_path / "store.db"),
        "suite": str(suite),
        "data": str(tmp_path / "data"),
        "run": stored[1],
        "tmp": str(tmp_path),
    }


def _snapshot(root: Path) -> dict[str, tuple[str, int]]:
    return {
        str(p.relative_to(root)): (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns)
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


EVAL = ["eval", "--model", "tiny-random-llama", "--suite", "{suite}", "--data-dir", "{data}"]
EVAL_OK = [*EVAL, "--store", "{store}", "--no-progress"]

# (id, argv, words the message must contain)
CASES: list[tuple[str, list[str], str]] = [
    # the command itself
    ("command-typo", ["evl"], "invalid choice 'evl' (did you mean 'eval'?)"),
    ("command-typo-lineage", ["linage", "x"], "did you mean 'lineage'?"),
    ("unknown-flag", ["runs", "--stroe", "x"], "unrecognized arguments"),
    ("no-command", [], "required: COMMAND"),
    # eval: values
    ("eval-tasks-empty", [*EVAL_OK, "--tasks", ""], "names nothing"),
    ("eval-tasks-commas", [*EVAL_OK, "--tasks", ",,"], "names nothing"),
    ("eval-task-typo", [*EVAL_OK, "--tasks", "toy_mcc"], "did you mean 'toy_mc'?"),
    ("eval-limit-negative", [*EVAL_OK, "--limit", "-1"], "out of range"),
    ("eval-limit-zero", [*EVAL_OK, "--limit", "0"], "at least 1"),
    ("eval-limit-text", [*EVAL_OK, "--limit", "ten"], "'ten' is not a whole number"),
    ("eval-shots-negative", [*EVAL_OK, "--shots", "-2"], "out of range"),
    ("eval-batch-zero", [*EVAL_OK, "--batch-size", "0"], "at least 1"),
    ("eval-dtype-typo", [*EVAL_OK, "--dtype", "float23"], "did you mean 'float32'?"),
    ("eval-device-typo", [*EVAL_OK, "--device", "cpuu"], "unknown device 'cpuu'"),
    ("eval-device-gpu", [*EVAL_OK, "--device", "gpu"], "use cpu, cuda, cuda:N or mps"),
    ("eval-device-index", [*EVAL_OK, "--device", "cuda:x"], "unknown device"),
    ("eval-gen-typo", [*EVAL_OK, "--gen", "max_new_token=4"], "did you mean 'max_new_tokens'?"),
    ("eval-gen-no-equals", [*EVAL_OK, "--gen", "temperature"], "is not key=value"),
    ("eval-gen-bad-value", [*EVAL_OK, "--gen", "temperature=-1"], "bad value for 'temperature'"),
    ("eval-suite-typo", [*EVAL_OK[:4], "mmlo", "--store", "{store}"], "did you mean 'mmlu'?"),
    (
        "eval-suite-file-missing",
        ["eval", "--suite", "{tmp}/nope.yaml", "--store", "{store}"],
        "not found",
    ),
    (
        "eval-model-typo",
        [*EVAL_OK[:2], "tiny-random-lama", *EVAL_OK[3:]],
        "did you mean 'tiny-random-llama'?",
    ),
    ("eval-model-not-gguf", [*EVAL_OK[:2], "{tmp}/fake.gguf", *EVAL_OK[3:]], "is not a GGUF file"),
    (
        "eval-model-gguf-missing",
        [*EVAL_OK[:2], "{tmp}/none.gguf", *EVAL_OK[3:]],
        "GGUF file not found",
    ),
    ("eval-data-dir-missing", [*EVAL[:6], "{tmp}/nodata", "--store", "{store}"], "is not a folder"),
    ("eval-resume-unknown", [*EVAL_OK, "--resume", "zzzz"], "no run matches 'zzzz'"),
    (
        "eval-resume-fresh-store",
        [*EVAL, "--store", "{tmp}/new.db", "--resume", "ab"],
        "no store at",
    ),
    # --store holding something else, for each kind of command
    ("eval-store-text", [*EVAL, "--store", "{tmp}/notes.txt"], "not an SQLite database"),
    ("eval-store-folder", [*EVAL, "--store", "{tmp}/folder"], "is a folder"),
    ("eval-store-empty-file", [*EVAL, "--store", "{tmp}/empty.db"], "is an empty file"),
    ("eval-store-truncated", [*EVAL, "--store", "{tmp}/truncated.db"], "truncated"),
    ("eval-store-corrupt", [*EVAL, "--store", "{tmp}/corrupt.db"], "damaged"),
    ("eval-store-headerless", [*EVAL, "--store", "{tmp}/headerless.db"], "not an SQLite database"),
    ("eval-store-newer", [*EVAL, "--store", "{tmp}/newer.db"], "upgrade the harness"),
    ("eval-store-foreign", [*EVAL, "--store", "{tmp}/foreign.db"], "not a harness store"),
    ("eval-store-url", [*EVAL, "--store", "postgres://db/x"], "unsupported store URL"),
    ("runs-store-text", ["runs", "--store", "{tmp}/notes.txt"], "not an SQLite database"),
    ("runs-store-newer", ["runs", "--store", "{tmp}/newer.db"], "schema version"),
    ("runs-store-missing", ["runs", "--store", "{tmp}/typo.db"], "no store at"),
    ("runs-store-empty-arg", ["runs", "--store", ""], "empty store path"),
    ("show-store-corrupt", ["show", "{run}", "--store", "{tmp}/corrupt.db"], "damaged"),
    ("export-store-folder", ["export", "{run}", "--store", "{tmp}/folder"], "is a folder"),
    (
        "gate-store-truncated",
        ["gate", "--baseline", "a", "--candidate", "b", "--store", "{tmp}/truncated.db"],
        "truncated",
    ),
    (
        "compare-store-foreign",
        ["compare", "--baseline", "a", "--candidate", "b", "--store", "{tmp}/foreign.db"],
        "not a harness store",
    ),
    ("report-store-text", ["report", "--store", "{tmp}/notes.txt"], "not an SQLite database"),
    ("variants-store-newer", ["variants", "--store", "{tmp}/newer.db"], "upgrade the harness"),
    ("variants-store-missing", ["variants", "--store", "{tmp}/typo.db"], "no store at"),
    (
        "lineage-store-text",
        ["lineage", "x", "--store", "{tmp}/notes.txt"],
        "not an SQLite database",
    ),
    ("memory-store-corrupt", ["memory", "--store", "{tmp}/corrupt.db"], "damaged"),
    ("dashboard-store-text", ["dashboard", "--store", "{tmp}/notes.txt"], "not an SQLite database"),
    ("dashboard-store-missing", ["dashboard", "--store", "{tmp}/typo.db"], "no store at"),
    ("train-store-text", ["train", "lora", "--store", "{tmp}/notes.txt"], "not an SQLite database"),
    ("lifecycle-store-newer", ["lifecycle", "--store", "{tmp}/newer.db"], "upgrade the harness"),
    # runs / show / export
    ("runs-limit-negative", ["runs", "--limit", "-1", "--store", "{store}"], "out of range"),
    ("runs-limit-text", ["runs", "--limit", "all", "--store", "{store}"], "not a whole number"),
    ("show-unknown-run", ["show", "ffff", "--store", "{store}"], "no run matches 'ffff'"),
    ("show-empty-run", ["show", " ", "--store", "{store}"], "empty run id"),
    (
        "export-format-typo",
        ["export", "{run}", "--format", "lm_eval", "--store", "{store}"],
        "did you mean 'lm-eval'?",
    ),
    (
        "export-out-folder",
        ["export", "{run}", "--out", "{tmp}/folder", "--store", "{store}"],
        "is a folder",
    ),
    ("export-unknown-run", ["export", "nope", "--store", "{store}"], "no run matches"),
    # gate / compare
    (
        "gate-min-overlap",
        [
            "gate",
            "--baseline",
            "{run}",
            "--candidate",
            "{run}",
            "--min-overlap",
            "1.5",
            "--store",
            "{store}",
        ],
        "in (0, 1]",
    ),
    (
        "gate-min-overlap-text",
        [
            "gate",
            "--baseline",
            "{run}",
            "--candidate",
            "{run}",
            "--min-overlap",
            "most",
            "--store",
            "{store}",
        ],
        "not a number",
    ),
    (
        "gate-margin-syntax",
        [
            "gate",
            "--baseline",
            "{run}",
            "--candidate",
            "{run}",
            "--margin",
            "acc",
            "--store",
            "{store}",
        ],
        "bad margin 'acc'",
    ),
    (
        "gate-margin-nan",
        [
            "gate",
            "--baseline",
            "{run}",
            "--candidate",
            "{run}",
            "--margin",
            "acc=nan",
            "--store",
            "{store}",
        ],
        "bad margin",
    ),
    (
        "gate-policy-typo",
        [
            "gate",
            "--baseline",
            "{run}",
            "--candidate",
            "{run}",
            "--policy",
            "warm",
            "--store",
            "{store}",
        ],
        "did you mean 'warn'?",
    ),
    (
        "gate-seed-negative",
        [
            "gate",
            "--baseline",
            "{run}",
            "--candidate",
            "{run}",
            "--seed",
            "-1",
            "--store",
            "{store}",
        ],
        "out of range",
    ),
    (
        "gate-missing-candidate",
        ["gate", "--baseline", "{run}", "--store", "{store}"],
        "--candidate",
    ),
    (
        "gate-unknown-run",
        ["gate", "--baseline", "ffff", "--candidate", "{run}", "--store", "{store}"],
        "ffff",
    ),
    (
        "gate-junit-folder",
        [
            "gate",
            "--baseline",
            "{run}",
            "--candidate",
            "{run}",
            "--junit",
            "{tmp}/folder",
            "--store",
            "{store}",
        ],
        "is a folder",
    ),
    (
        "compare-margin-metric-typo",
        [
            "compare",
            "--baseline",
            "{run}",
            "--candidate",
            "{run}",
            "--margin",
            "acx=0.1",
            "--store",
            "{store}",
        ],
        "did you mean 'acc'?",
    ),
    # report / dashboard
    (
        "report-format-typo",
        ["report", "--format", "htm", "--store", "{store}"],
        "did you mean 'html'?",
    ),
    ("report-what-typo", ["report", "finetun", "--store", "{store}"], "did you mean 'finetune'?"),
    ("report-out-file", ["report", "--out", "{tmp}/notes.txt", "--store", "{store}"], "is a file"),
    ("report-finetune-no-variant", ["report", "finetune", "--store", "{store}"], "needs --variant"),
    ("report-rl-watch-no-variant", ["report", "rl-watch", "--store", "{store}"], "needs --variant"),
    (
        "report-max-kl-negative",
        ["report", "rl-watch", "--max-kl", "-1", "--store", "{store}"],
        "out of range",
    ),
    (
        "report-degenerate-share",
        ["report", "rl-watch", "--max-degenerate", "2", "--store", "{store}"],
        "between 0 and 1",
    ),
    (
        "dashboard-port",
        ["dashboard", "--port", "70000", "--store", "{store}"],
        "between 1 and 65535",
    ),
    (
        "dashboard-port-text",
        ["dashboard", "--port", "http", "--store", "{store}"],
        "not a port number",
    ),
    # variants / lineage / memory
    ("lineage-unknown", ["lineage", "nobody", "--store", "{store}"], "nobody"),
    ("memory-gpus-zero", ["memory", "--gpus", "0", "--store", "{store}"], "at least 1"),
    ("memory-rank-negative", ["memory", "--lora-rank", "-4", "--store", "{store}"], "out of range"),
    (
        "memory-seq-len-text",
        ["memory", "--seq-len", "long", "--store", "{store}"],
        "not a whole number",
    ),
    (
        "memory-targets-empty",
        ["memory", "--lora-targets", ",", "--store", "{store}"],
        "names nothing",
    ),
    (
        "memory-model-typo",
        ["memory", "--model", "smollm2-135m-instrct", "--store", "{store}"],
        "unknown model",
    ),
    # train / lifecycle
    ("train-recipe-typo", ["train", "lorra", "--store", "{store}"], "did you mean 'lora'?"),
    (
        "train-config-missing",
        ["train", "lora", "--config", "{tmp}/nope.yaml", "--store", "{store}"],
        "not found",
    ),
    (
        "train-profile-typo",
        ["train", "lora", "--profile", "quik", "--store", "{store}"],
        "did you mean 'quick'?",
    ),
    (
        "train-set-key-typo",
        ["train", "lora", "--profile", "quick", "--set", "lora.rnk=4", "--store", "{store}"],
        "did you mean 'rank'?",
    ),
    (
        "train-set-bad-value",
        ["train", "lora", "--profile", "quick", "--set", "lora.rank=many", "--store", "{store}"],
        "bad value for 'lora.rank'",
    ),
    (
        "train-eval-limit-zero",
        ["train", "lora", "--eval", "mmlu", "--eval-limit", "0", "--store", "{store}"],
        "at least 1",
    ),
    (
        "train-eval-suite-typo",
        ["train", "lora", "--eval", "mmlo", "--store", "{store}"],
        "did you mean 'mmlu'?",
    ),
    ("train-eval-empty", ["train", "lora", "--eval", "", "--store", "{store}"], "names nothing"),
    (
        "train-eval-tasks-alone",
        ["train", "lora", "--eval-tasks", "x", "--store", "{store}"],
        "need --eval SUITE",
    ),
    (
        "train-reward-model-eval",
        ["train", "reward-model", "--eval", "mmlu", "--store", "{store}"],
        "drop --eval",
    ),
    (
        "train-sweep-not-pretrain",
        ["train", "lora", "--sweep", "--profile", "quick", "--store", "{store}"],
        "--sweep",
    ),
    (
        "eval-data-line-bad",
        [*EVAL[:6], "{tmp}/baddata", "--store", "{store}"],
        "test.jsonl:2: not valid JSON",
    ),
    (
        "eval-data-line-not-object",
        [*EVAL[:6], "{tmp}/listdata", "--store", "{store}"],
        "gen.jsonl:1: expected a JSON object",
    ),
    (
        "lifecycle-config-missing",
        ["lifecycle", "--config", "{tmp}/nope.yaml", "--store", "{store}"],
        "not found",
    ),
    (
        "lifecycle-report-dir-file",
        ["lifecycle", "--report-dir", "{tmp}/notes.txt", "--store", "{store}"],
        "is a file",
    ),
    (
        "lifecycle-profile-typo",
        ["lifecycle", "--profile", "ful", "--store", "{store}"],
        "did you mean 'full'?",
    ),
    # models / suites / tasks
    ("models-build-typo", ["models", "build", "toxicty"], "did you mean 'toxicity'?"),
    (
        "models-build-data-dir",
        ["models", "build", "toxicity", "--data-dir", "{tmp}/nodata"],
        "is not a folder",
    ),
    ("tasks-suite-typo", ["tasks", "mmlo"], "did you mean 'mmlu'?"),
    ("tasks-no-suite", ["tasks"], "required: suite"),
    ("suites-extra-arg", ["suites", "mmlu"], "unrecognized arguments"),
]


@pytest.mark.parametrize(("argv", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_a_malformed_input_is_one_line_exit_2_and_touches_nothing(
    argv: list[str],
    expected: str,
    world: dict[str, str],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    before = _snapshot(tmp_path)
    code = main([arg.format(**world) for arg in argv])
    captured = capsys.readouterr()
    err = captured.err.strip()
    assert code == 2, err or captured.out
    assert "Traceback" not in err
    assert 1 <= len(err.splitlines()) <= 2, err
    assert expected in err, err
    assert _snapshot(tmp_path) == before


def test_there_are_at_least_sixty_cases() -> None:
    assert len(CASES) >= 60
    assert len({c[0] for c in CASES}) == len(CASES)


def test_a_refused_store_is_left_byte_identical_even_by_a_writing_command(
    world: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The store check runs before SQLite: no -wal/-shm file appears beside a refused one."""
    for name in ("notes.txt", "truncated.db", "corrupt.db", "newer.db", "foreign.db"):
        before = _snapshot(tmp_path)
        assert main([a.format(**world) for a in EVAL] + ["--store", str(tmp_path / name)]) == 2
        assert _snapshot(tmp_path) == before, name
    capsys.readouterr()


def _harness(*argv: str) -> list[str]:
    return [
        sys.executable,
        "-c",
        "import sys; from harness.cli.main import main; sys.exit(main())",
        *argv,
    ]


def test_output_piped_into_head_ends_quietly() -> None:
    """`harness tasks mmlu | head -1`: no BrokenPipeError, exit 141 like any piped writer."""
    proc = subprocess.Popen(
        _harness("tasks", "mmlu"), cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert proc.stdout is not None and proc.stderr is not None
    first = proc.stdout.readline()
    proc.stdout.close()  # the reader leaves, as head does
    err = proc.stderr.read().decode()
    code = proc.wait(timeout=60)
    assert first
    assert "Traceback" not in err and "BrokenPipe" not in err, err
    assert code in (0, 141)


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["runs", "--limit", "-1"], "out of range"),
        (["evl"], "did you mean 'eval'?"),
        (["tasks", "mmlo"], "did you mean 'mmlu'?"),
    ],
)
def test_a_real_process_exits_2_with_one_line(
    argv: list[str], expected: str, tmp_path: Path
) -> None:
    done = subprocess.run(
        _harness(*argv), cwd=REPO, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 2
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert expected in done.stderr and "Traceback" not in done.stderr


def test_cuda_on_a_machine_without_it_is_refused_before_anything_loads(
    world: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import torch

    if torch.cuda.is_available():
        pytest.skip("this machine has CUDA")
    before = _snapshot(tmp_path)
    argv = [a.format(**world) for a in [*EVAL_OK, "--device", "cuda"]]
    assert main(argv) == 2
    assert "CUDA is not available" in capsys.readouterr().err
    assert _snapshot(tmp_path) == before
