"""End to end on a tiny random model: suite -> backend -> scores -> store."""

from __future__ import annotations

from pathlib import Path

import pytest
from toy_suite import toy_options

from harness.runner import run_eval
from harness.store import MultipleChoiceOutputs, open_store


def test_a_run_stores_tasks_scores_samples_and_aggregates(
    toy_suite: Path, tmp_path: Path, tiny_model
) -> None:  # type: ignore[no-untyped-def]
    store_path = tmp_path / "s.db"
    report = run_eval(toy_options(toy_suite, store_path), model=tiny_model)
    with open_store(store_path) as store:
        run = store.get_run(report.run_id)
        assert run.status == "complete"
        assert run.model_hash == tiny_model.weights_hash
        assert {t.task for t in store.get_task_results(run.run_id)} == {"toy_mc", "toy_gen"}
        assert len(store.get_samples(run.run_id, "toy_mc")) == 3
        assert len(store.get_samples(run.run_id, "toy_gen")) == 2
        aggregates = {(s.name, s.metric) for s in store.get_scores(run.run_id, scope="aggregate")}
        assert aggregates == {
            ("toy", "acc"),
            ("toy", "acc_macro"),
            ("toy/a", "acc"),
            ("toy/a", "acc_macro"),
        }
        mc = store.get_samples(run.run_id, "toy_mc")[0]
        assert isinstance(mc.outputs, MultipleChoiceOutputs)
        assert mc.outputs.choices == [" blue", " green"] and len(mc.outputs.logprobs) == 2
        assert mc.prediction in {"blue", "green"}


def test_the_same_run_twice_gives_identical_scores(
    toy_suite: Path, tmp_path: Path, tiny_model
) -> None:  # type: ignore[no-untyped-def]
    store_path = tmp_path / "s.db"
    first = run_eval(toy_options(toy_suite, store_path, shots=1), model=tiny_model)
    second = run_eval(toy_options(toy_suite, store_path, shots=1), model=tiny_model)
    with open_store(store_path) as store:
        a = [(s.name, s.metric, s.value, s.ci_low) for s in store.get_scores(first.run_id)]
        b = [(s.name, s.metric, s.value, s.ci_low) for s in store.get_scores(second.run_id)]
    assert a == b


def test_an_interrupted_run_keeps_finished_tasks_and_resumes(
    toy_suite: Path,
    tmp_path: Path,
    tiny_model,
    monkeypatch: pytest.MonkeyPatch,  # type: ignore[no-untyped-def]
) -> None:
    from harness.backends.hf import HFBackend

    store_path = tmp_path / "s.db"

    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    with monkeypatch.context() as patch:
        patch.setattr(HFBackend, "generate_stream", interrupted)
        with pytest.raises(KeyboardInterrupt):
            run_eval(toy_options(toy_suite, store_path), model=tiny_model)
    with open_store(store_path) as store:
        (run,) = store.list_runs()
        assert run.status == "failed"
        assert store.completed_tasks(run.run_id) == {"toy_mc"}
    run_eval(toy_options(toy_suite, store_path, resume=run.run_id[:6]), model=tiny_model)
    with open_store(store_path) as store:
        resumed = store.get_run(run.run_id)
        assert resumed.status == "complete"
        assert store.completed_tasks(run.run_id) == {"toy_mc", "toy_gen"}
        assert {s.name for s in store.get_scores(run.run_id, scope="aggregate")} == {"toy", "toy/a"}
