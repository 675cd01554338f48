from pathlib import Path

from harness.tasks import Task, load_suite


def test_dialogsum_items_carry_three_references_and_stop_at_newline(shared_data: Path) -> None:
    (config,) = load_suite("dialogsum").select(["dialogsum_0shot"])
    task = Task(config, shared_data)
    item = task.build_items(1)[0]
    assert len(item.references) == 3
    assert item.prompt.startswith(
        "Summarize each dialogue in one or two sentences.\n\nDialogue:\n#Person1#:"
    )
    assert item.prompt.endswith("\nSummary:")
    assert task.generation_config is not None and task.generation_config.stop == ("\n",)


def test_one_shot_example_uses_the_train_summary_as_its_answer(shared_data: Path) -> None:
    (config,) = load_suite("dialogsum").select(["dialogsum_1shot"])
    item = Task(config, shared_data).build_items(1)[0]
    body = item.prompt.removeprefix("Summarize each dialogue in one or two sentences.\n\n")
    example, question = body.split("\n\nDialogue:\n")
    assert example.startswith("Dialogue:\n") and "\nSummary: " in example
    assert question.endswith("\nSummary:")
