"""Four processes evaluate into one new PostgreSQL store at once: nothing lost, nothing twice.

The store starts as an empty database, so the four also race to create its tables (the
advisory lock in harness.store.schema makes one of them do it). Each process commits its
50 tasks one transaction at a time while the others do the same.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

from raw_store import raw_rows
from toy_suite import TOY_QUESTIONS, write_jsonl

from harness.store import open_store

PROCESSES = 4
TASKS = 50
TIMEOUT_S = 600


def _suite_of_many_tasks(root: Path) -> Path:
    """A suite of ``TASKS`` small multiple-choice tasks over one JSONL file."""
    write_jsonl(
        root / "data" / "toy" / "test.jsonl",
        [{"q": q, "options": options, "label": label} for q, options, label in TOY_QUESTIONS],
    )
    tasks = root / "suites" / "tasks"
    tasks.mkdir(parents=True)
    names = [f"mc_{n:02d}" for n in range(TASKS)]
    for name in names:
        (tasks / f"{name}.yaml").write_text(
            textwrap.dedent(f"""\
            task: {name}
            dataset: {{path: toy, format: jsonl, splits: {{test: test.jsonl}}}}
            output_type: multiple_choice
            test_split: test
            doc_to_text: "Q: {{{{ q }}}} ({name})\\nA:"
            doc_to_choice: "{{{{ options }}}}"
            doc_to_target: "{{{{ label }}}}"
            metric_list: [acc]
            """)
        )
    suite = root / "suites" / "many.yaml"
    suite.write_text("suite: many\ntasks: [" + ", ".join(f"tasks/{n}.yaml" for n in names) + "]\n")
    return suite


def test_four_processes_write_one_store_and_every_sample_lands_exactly_once(
    tmp_path: Path, postgres_url: str
) -> None:
    suite = _suite_of_many_tasks(tmp_path)
    command = [
        sys.executable,
        "-m",
        "harness.cli.main",
        "eval",
        "--model",
        "tiny-random-llama",
        "--suite",
        str(suite),
        "--data-dir",
        str(tmp_path / "data"),
        "--shots",
        "0",
        "--store",
        postgres_url,
        "--no-progress",
    ]
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    workers = [
        subprocess.Popen(
            command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for _ in range(PROCESSES)
    ]
    outcomes = [worker.communicate(timeout=TIMEOUT_S) for worker in workers]
    for worker, (_, err) in zip(workers, outcomes, strict=True):
        assert worker.returncode == 0, err[-2000:]

    with open_store(postgres_url) as store:
        runs = store.list_runs()
        assert len(runs) == PROCESSES
        assert len({run.run_id for run in runs}) == PROCESSES
        assert all(run.status == "complete" for run in runs)
        for run in runs:
            assert store.completed_tasks(run.run_id) == {f"mc_{n:02d}" for n in range(TASKS)}
    per_run = raw_rows(
        postgres_url,
        "SELECT run_id, COUNT(*), COUNT(DISTINCT task || ':' || doc_id) FROM samples"
        " GROUP BY run_id",
    )
    items = TASKS * len(TOY_QUESTIONS)
    assert sorted(count for _, count, _ in per_run) == [items] * PROCESSES
    assert all(distinct == count for _, count, distinct in per_run)
    scores = raw_rows(postgres_url, "SELECT COUNT(*) FROM scores WHERE scope = 'task'")
    assert scores == [(PROCESSES * TASKS,)]  # one acc per task per run
