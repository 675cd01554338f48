"""The MMLU task builds the original paper's prompt, character for character."""

from pathlib import Path

from harness.tasks import Task, load_suite

HEADER = "The following are multiple choice questions (with answers) about abstract algebra.\n\n"


def _task(shared_data: Path, shots: int) -> Task:
    (config,) = load_suite("mmlu").select(["mmlu_abstract_algebra"])
    return Task(config, shared_data, num_fewshot=shots)


def test_zero_shot_prompt_matches_the_paper_format(shared_data: Path) -> None:
    item = _task(shared_data, 0).build_items(1)[0]
    assert item.prompt == (
        HEADER
        + "Find the degree for the given field extension Q(sqrt(2), sqrt(3), sqrt(18)) over Q.\n"
        "A. 0\nB. 4\nC. 2\nD. 6\nAnswer:"
    )
    assert item.choices == (" A", " B", " C", " D")
    assert item.gold == 1
    assert item.references == ("B",)


def test_five_shot_prompt_uses_the_first_five_dev_rows_with_answers(shared_data: Path) -> None:
    item = _task(shared_data, 5).build_items(1)[0]
    blocks = item.prompt.removeprefix(HEADER).split("\n\n")
    assert len(blocks) == 6
    assert blocks[0].startswith("Find all c in Z_3 such that Z_3[x]/(x^2 + c) is a field.\nA. 0\n")
    assert blocks[0].endswith("\nAnswer: B")
    assert blocks[5].endswith("\nAnswer:")


def test_suite_has_57_subjects_in_four_categories() -> None:
    suite = load_suite("mmlu")
    assert len(suite.tasks) == 57
    categories = {t.params["category"] for t in suite.tasks}
    assert categories == {"stem", "humanities", "social_sciences", "other"}


def test_limit_takes_the_first_documents(shared_data: Path) -> None:
    task = _task(shared_data, 0)
    assert [i.doc_id for i in task.build_items(3)] == [0, 1, 2]
    assert task.build_items(3)[2].prompt == task.build_items(10)[2].prompt
