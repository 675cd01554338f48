"""Every record comes back from the store exactly as it went in."""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone

import pytest
from pydantic import ValidationError
from raw_store import raw_rows
from store_factories import (
    MODEL_HASH,
    a_model,
    a_run,
    a_sample,
    a_score,
    a_task_result,
    store_with_run,
)

from harness.store import Store, open_store


@pytest.fixture
def store(store_at: str) -> Iterator[Store]:
    with open_store(store_at) as opened:
        yield opened


def test_model_round_trips(store: Store) -> None:
    model = a_model()
    store.upsert_model(model)
    assert store.get_model(MODEL_HASH) == model


def test_unknown_model_is_none(store: Store) -> None:
    assert store.get_model("f" * 64) is None


def test_upserting_a_known_model_updates_its_description(store: Store) -> None:
    store.upsert_model(a_model(name="old name"))
    store.upsert_model(a_model(name="new name"))
    stored = store.get_model(MODEL_HASH)
    assert stored is not None and stored.name == "new name"
    assert store.count_rows()["models"] == 1


def test_run_round_trips(store: Store) -> None:
    run = store_with_run(store, git_commit=None)
    assert store.get_run(run.run_id) == run


def test_run_created_at_comes_back_as_aware_utc(store: Store) -> None:
    plus_two = timezone(timedelta(hours=2))
    run = store_with_run(store, created_at=datetime(2025, 6, 1, 14, 0, tzinfo=plus_two))
    stored = store.get_run(run.run_id)
    assert stored.created_at == run.created_at
    assert stored.created_at.utcoffset() == timedelta(0)


def test_run_record_rejects_naive_created_at() -> None:
    with pytest.raises(ValidationError):
        a_run(created_at=datetime(2025, 6, 1, 14, 0))


def test_task_result_scores_and_samples_round_trip(store: Store) -> None:
    run = store_with_run(store)
    result = a_task_result()
    scores = [a_score(metric="acc"), a_score(metric="acc_norm", value=0.75)]
    samples = [a_sample(1), a_sample(0, prediction="0", metrics={"acc": 0.0})]
    store.commit_task(result, scores, samples)
    assert store.get_task_results(run.run_id) == [result]
    assert store.get_scores(run.run_id) == scores
    assert store.get_samples(run.run_id) == sorted(samples, key=lambda s: s.doc_id)


def test_samples_are_ordered_by_task_then_doc_id(store: Store) -> None:
    run = store_with_run(store)
    for task in ("zeta", "alpha"):
        samples = [a_sample(i, task=task) for i in (2, 0, 1)]
        store.commit_task(a_task_result(task=task), [], samples)
    order = [(s.task, s.doc_id) for s in store.get_samples(run.run_id)]
    assert order == [
        ("alpha", 0),
        ("alpha", 1),
        ("alpha", 2),
        ("zeta", 0),
        ("zeta", 1),
        ("zeta", 2),
    ]


def test_samples_can_be_read_for_one_task(store: Store) -> None:
    run = store_with_run(store)
    store.commit_task(a_task_result(task="a"), [], [a_sample(0, task="a")])
    store.commit_task(a_task_result(task="b"), [], [a_sample(0, task="b")])
    assert [s.task for s in store.get_samples(run.run_id, task="b")] == ["b"]


def test_aggregate_scores_round_trip_and_filter_by_scope(store: Store) -> None:
    run = store_with_run(store)
    task_score = a_score()
    store.commit_task(a_task_result(), [task_score], [])
    aggregates = [
        a_score(scope="aggregate", name="mmlu/stem", metric="acc_micro"),
        a_score(scope="aggregate", name="mmlu/overall", metric="acc_micro"),
    ]
    store.add_scores(aggregates)
    assert store.get_scores(run.run_id, scope="aggregate") == aggregates
    assert store.get_scores(run.run_id, scope="task") == [task_score]


def test_nan_stderr_and_interval_are_stored_as_none(store: Store) -> None:
    run = store_with_run(store)
    nan = math.nan
    store.add_scores([a_score(stderr=nan, ci_low=nan, ci_high=nan)])
    (stored,) = store.get_scores(run.run_id)
    assert (stored.stderr, stored.ci_low, stored.ci_high) == (None, None, None)


def test_nan_score_value_comes_back_as_nan(store: Store) -> None:
    run = store_with_run(store)
    store.add_scores([a_score(value=math.nan)])
    (stored,) = store.get_scores(run.run_id)
    assert math.isnan(stored.value)


def test_nan_per_item_metric_comes_back_as_nan(store: Store) -> None:
    run = store_with_run(store)
    store.commit_task(a_task_result(), [], [a_sample(metrics={"f1": math.nan})])
    (stored,) = store.get_samples(run.run_id)
    assert math.isnan(stored.metrics["f1"])


def test_json_columns_are_strict_json_with_sorted_keys(store: Store) -> None:
    store.upsert_model(a_model(details={"b": 1, "a": math.inf}))
    ((raw,),) = raw_rows(store.location, "SELECT details FROM models")
    assert raw == '{"a":null,"b":1}'


def test_created_at_is_stored_as_iso_8601_utc(store: Store) -> None:
    run = store_with_run(store)
    ((raw,),) = raw_rows(store.location, "SELECT created_at FROM runs")
    assert raw == "2025-01-02T03:04:05.678901+00:00"
    assert store.get_run(run.run_id).created_at.isoformat() == raw
