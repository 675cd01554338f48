"""commit_task stores a task with its scores and samples all at once, and only once."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from store_factories import a_sample, a_score, a_task_result, store_with_run

from harness.errors import HarnessError
from harness.store import Store, open_store


@pytest.fixture
def store(store_at: str) -> Iterator[Store]:
    with open_store(store_at) as opened:
        yield opened


def test_a_failing_sample_leaves_nothing_of_the_task(store: Store) -> None:
    store_with_run(store)
    before = store.count_rows()
    duplicate_doc = [a_sample(0), a_sample(1), a_sample(1)]
    with pytest.raises(HarnessError, match="nothing of it was written"):
        store.commit_task(a_task_result(), [a_score()], duplicate_doc)
    assert store.count_rows() == before


def test_a_failing_commit_does_not_mark_the_task_completed(store: Store) -> None:
    run = store_with_run(store)
    with pytest.raises(HarnessError):
        store.commit_task(a_task_result(), [], [a_sample(0), a_sample(0)])
    assert store.completed_tasks(run.run_id) == set()


def test_a_task_can_be_committed_after_a_failed_attempt(store: Store) -> None:
    run = store_with_run(store)
    with pytest.raises(HarnessError):
        store.commit_task(a_task_result(), [], [a_sample(0), a_sample(0)])
    store.commit_task(a_task_result(), [a_score()], [a_sample(0), a_sample(1)])
    assert len(store.get_samples(run.run_id)) == 2


def test_duplicate_scores_in_one_commit_leave_nothing(store: Store) -> None:
    store_with_run(store)
    before = store.count_rows()
    with pytest.raises(HarnessError, match="task 'arc_easy' acc"):
        store.commit_task(a_task_result(), [a_score(), a_score()], [a_sample(0)])
    assert store.count_rows() == before


def test_recommitting_a_task_is_refused(store: Store) -> None:
    store_with_run(store)
    store.commit_task(a_task_result(), [a_score()], [a_sample(0)])
    with pytest.raises(
        HarnessError, match="task 'arc_easy' of run '0123456789ab' is already committed"
    ):
        store.commit_task(a_task_result(), [], [])


def test_recommitting_a_task_leaves_the_first_result_untouched(store: Store) -> None:
    run = store_with_run(store)
    store.commit_task(a_task_result(n_items=2), [a_score()], [a_sample(0)])
    before = store.count_rows()
    with pytest.raises(HarnessError):
        store.commit_task(a_task_result(n_items=99), [], [])
    assert store.count_rows() == before
    assert store.get_task_results(run.run_id)[0].n_items == 2


def test_completed_tasks_lists_committed_tasks(store: Store) -> None:
    run = store_with_run(store)
    store.commit_task(a_task_result(task="arc_easy"), [], [])
    store.commit_task(a_task_result(task="hellaswag"), [], [])
    assert store.completed_tasks(run.run_id) == {"arc_easy", "hellaswag"}


def test_committing_to_an_unknown_run_is_refused(store: Store) -> None:
    with pytest.raises(HarnessError, match="no run matches 'ffffffffffff'"):
        store.commit_task(a_task_result(run_id="ffffffffffff"), [], [])


def test_samples_of_another_task_are_a_caller_bug(store: Store) -> None:
    store_with_run(store)
    with pytest.raises(ValueError, match="does not belong"):
        store.commit_task(a_task_result(task="arc_easy"), [], [a_sample(0, task="hellaswag")])


def test_scores_of_another_run_are_a_caller_bug(store: Store) -> None:
    store_with_run(store)
    with pytest.raises(ValueError, match="differs"):
        store.commit_task(a_task_result(), [a_score(run_id="ffffffffffff")], [])


def test_add_scores_is_all_or_nothing(store: Store) -> None:
    store_with_run(store)
    before = store.count_rows()
    first = a_score(scope="aggregate", name="mmlu/overall")
    with pytest.raises(HarnessError, match="aggregate 'mmlu/overall' acc"):
        store.add_scores([first, a_score(scope="aggregate", name="mmlu/stem"), first])
    assert store.count_rows() == before


def test_add_scores_to_an_unknown_run_is_refused(store: Store) -> None:
    with pytest.raises(HarnessError, match="no run matches 'ffffffffffff'"):
        store.add_scores([a_score(run_id="ffffffffffff")])
