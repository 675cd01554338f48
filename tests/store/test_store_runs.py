"""Runs are found by id or unique prefix, listed newest first, and finished with a status."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from store_factories import T0, a_model, a_run, minutes, store_with_run

from harness.errors import HarnessError
from harness.store import Store, open_store


@pytest.fixture
def store(store_at: str) -> Iterator[Store]:
    with open_store(store_at) as opened:
        yield opened


def test_get_run_accepts_a_unique_prefix(store: Store) -> None:
    store_with_run(store, "abc123000000")
    store.create_run(a_run("abd456000000"))
    assert store.get_run("abc").run_id == "abc123000000"


def test_get_run_prefers_an_exact_id_over_longer_ids_it_prefixes(store: Store) -> None:
    store_with_run(store, "abc")
    store.create_run(a_run("abcdef"))
    assert store.get_run("abc").run_id == "abc"


def test_get_run_names_the_runs_an_ambiguous_prefix_matches(store: Store) -> None:
    store_with_run(store, "abc123000000")
    store.create_run(a_run("abd456000000", created_at=T0 + minutes(1)))
    with pytest.raises(HarnessError) as raised:
        store.get_run("ab")
    assert str(raised.value) == (
        "run id prefix 'ab' is ambiguous: it matches abd456000000, abc123000000; "
        "type more characters of the run id"
    )


def test_get_run_says_how_to_list_runs_when_none_matches(store: Store) -> None:
    store_with_run(store, "abc123000000")
    with pytest.raises(HarnessError) as raised:
        store.get_run("abc1x")
    assert str(raised.value) == "no run matches 'abc1x'; list runs with `harness runs`"


def test_get_run_rejects_an_empty_id(store: Store) -> None:
    store_with_run(store)
    with pytest.raises(HarnessError, match="empty run id"):
        store.get_run("")


def test_list_runs_is_newest_first(store: Store) -> None:
    store.upsert_model(a_model())
    for run_id, offset in (("middle", 5), ("oldest", 0), ("newest", 10)):
        store.create_run(a_run(run_id, created_at=T0 + minutes(offset)))
    assert [run.run_id for run in store.list_runs()] == ["newest", "middle", "oldest"]


def test_list_runs_honours_limit(store: Store) -> None:
    store.upsert_model(a_model())
    for offset in range(3):
        store.create_run(a_run(f"run{offset}", created_at=T0 + minutes(offset)))
    assert [run.run_id for run in store.list_runs(limit=2)] == ["run2", "run1"]


def test_list_runs_of_an_empty_store_is_empty(store: Store) -> None:
    assert store.list_runs() == []


def test_finish_run_records_status_and_totals(store: Store) -> None:
    run = store_with_run(store)
    store.finish_run(run.run_id, status="complete", wall_time_s=12.5, tokens_processed=4096)
    finished = store.get_run(run.run_id)
    assert (finished.status, finished.wall_time_s, finished.tokens_processed, finished.error) == (
        "complete",
        12.5,
        4096,
        None,
    )


def test_finish_run_records_the_error_of_a_failed_run(store: Store) -> None:
    run = store_with_run(store)
    store.finish_run(
        run.run_id, status="failed", wall_time_s=None, tokens_processed=None, error="OOM"
    )
    failed = store.get_run(run.run_id)
    assert (failed.status, failed.error) == ("failed", "OOM")


def test_finish_run_rejects_an_unknown_status(store: Store) -> None:
    run = store_with_run(store)
    with pytest.raises(ValueError, match="run status"):
        store.finish_run(run.run_id, status="done", wall_time_s=None, tokens_processed=None)


def test_finish_run_of_an_unknown_run_is_refused(store: Store) -> None:
    with pytest.raises(HarnessError, match="no run matches 'ffffffffffff'"):
        store.finish_run("ffffffffffff", status="complete", wall_time_s=1.0, tokens_processed=1)


def test_creating_a_run_twice_is_refused(store: Store) -> None:
    run = store_with_run(store)
    with pytest.raises(HarnessError, match="already exists"):
        store.create_run(run)


def test_creating_a_run_of_an_unstored_model_is_refused(store: Store) -> None:
    before = store.count_rows()
    with pytest.raises(HarnessError, match="upsert_model"):
        store.create_run(a_run())
    assert store.count_rows() == before
