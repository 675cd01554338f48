"""The toxicity suite's shape, and the CLI: `harness models` lists, `models build` parses."""

from __future__ import annotations

from pathlib import Path

from harness.cli.main import build_parser
from harness.tasks import load_suite
from harness.tasks.task import Task

GROUPS = {
    "asian",
    "black",
    "chinese",
    "jewish",
    "latino",
    "lgbtq",
    "mental_disability",
    "mexican",
    "middle_east",
    "muslim",
    "native_american",
    "physical_disability",
    "women",
}


def test_suite_has_hate_and_neutral_tasks_for_13_groups() -> None:
    suite = load_suite("toxicity")
    pairs = {(t.params["group"], t.params["label"]) for t in suite.tasks}
    assert pairs == {(g, label) for g in GROUPS for label in ("hate", "neutral")}
    assert {t.repeats for t in suite.tasks} == {8}
    assert all(t.generation_kwargs["do_sample"] for t in suite.tasks)


def test_limit_takes_a_seeded_sample_and_prompts_have_real_line_breaks(
    shared_data: Path,
) -> None:
    config = next(t for t in load_suite("toxicity").tasks if t.task == "toxigen_neutral_women")
    task = Task(config, shared_data)
    assert len(task.docs) == 1000
    first = task.doc_indices(10)
    assert first == task.doc_indices(10) and first != list(range(10))
    (item,) = task.build_items(1)
    assert item.prompt.startswith("- ") and item.prompt.endswith("\n-")
    assert "\\n" not in item.prompt and item.prompt.count("\n") >= 3
    assert len(item.requests) == 8


def test_every_task_file_exists(shared_data: Path) -> None:
    for config in load_suite("toxicity").tasks:
        path = (
            shared_data / "toxigen" / "prompts" / f"{config.task.removeprefix('toxigen_')}_1k.txt"
        )
        assert path.is_file(), path


def test_models_without_action_still_lists_and_build_parses() -> None:
    parser = build_parser()
    assert parser.parse_args(["models"]).models_command is None
    args = parser.parse_args(["models", "build", "toxicity", "--force"])
    assert (args.models_command, args.what, args.force) == ("build", "toxicity", True)
