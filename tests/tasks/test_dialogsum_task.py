from pathlib import Path

from harness.tasks import Task, load_suite

HEAD = "Summarize the following conversation.\n\n#Person1#:"


def test_dialogsum_items_carry_three_references_and_stop_at_a_blank_line(shared_data: Path) -> None:
    (config,) = load_suite("dialogsum").select(["dialogsum_0shot"])
    task = Task(config, shared_data)
    item = task.build_items(1)[0]
    assert len(item.references) == 3
    assert item.prompt.startswith(HEAD)
    assert item.prompt.endswith("\n\nSummary:\n")
    assert task.generation_config is not None and task.generation_config.stop == ("\n\n",)


def test_one_shot_example_uses_the_train_summary_as_its_answer(shared_data: Path) -> None:
    (config,) = load_suite("dialogsum").select(["dialogsum_1shot"])
    item = Task(config, shared_data).build_items(1)[0]
    example, question = item.prompt.split("\n\n\n")
    assert example.startswith(HEAD)
    summary = example.split("\n\nSummary:\n")[1]
    assert summary and "\n" not in summary
    assert question.startswith(HEAD) and question.endswith("\nSummary:\n")
