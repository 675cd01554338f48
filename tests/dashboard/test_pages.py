"""Every dashboard page, run by Streamlit's AppTest on a store of real tiny-model runs."""

from __future__ import annotations

from pathlib import Path

import pytest
from filled_store import APP, FilledStore
from streamlit.testing.v1 import AppTest

from harness.leaderboard import filter_pairs, pair_samples
from harness.store import open_store

TIMEOUT = 60  # generous: the CPU is shared; nothing here is a timing assertion


@pytest.fixture()
def app(filled_store: FilledStore, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("HARNESS_STORE", str(filled_store.path))
    return AppTest.from_file(str(APP), default_timeout=TIMEOUT).run()


def _page(app: AppTest, page: str) -> AppTest:
    app.switch_page(f"views/{page}.py").run()
    assert not app.exception, app.exception
    return app


def _leaderboard_models(app: AppTest) -> list[str]:
    return list(app.dataframe[0].value["model"])


def test_an_empty_store_shows_which_command_fills_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HARNESS_STORE", str(tmp_path / "none.db"))
    app = AppTest.from_file(str(APP), default_timeout=TIMEOUT).run()
    assert not app.exception
    assert "harness eval" in app.info[0].value
    assert not (tmp_path / "none.db").exists()  # reading never creates a store


def test_the_leaderboard_has_one_row_per_model_with_ci_and_win_rate(app: AppTest) -> None:
    assert not app.exception
    frame = app.dataframe[0].value
    assert sorted(frame["model"]) == ["tiny-base", "tiny-lora", "tiny-other"]
    assert list(frame.columns) == [
        "#",
        "model",
        "kind",
        "parameters",
        "precision",
        "toy acc",
        "toy acc 95% CI",
        "mean",
        "win rate",
    ]
    assert list(frame["win rate"]) == sorted(frame["win rate"], reverse=True)
    with open_store(app.session_state["store_path"]) as store:
        expected = {
            store.get_model(run.model_hash).name: next(  # type: ignore[union-attr]
                s.value
                for s in store.get_scores(run.run_id)
                if (s.name, s.metric) == ("toy", "acc")
            )
            for run in store.list_runs()
        }
    assert dict(zip(frame["model"], frame["toy acc"], strict=True)) == expected
    assert all(ci.startswith("[") for ci in frame["toy acc 95% CI"])


def test_the_kind_filter_keeps_only_that_kind(app: AppTest) -> None:
    app.multiselect(key="kinds").select("lora").run()
    assert _leaderboard_models(app) == ["tiny-lora"]


def test_more_metrics_and_sorting_by_name(app: AppTest) -> None:
    app.multiselect(key="columns").select("toy acc_norm").run()
    app.selectbox(key="sort_by").select("name").run()
    frame = app.dataframe[0].value
    assert "toy acc_norm" in frame.columns
    assert list(frame["model"]) == ["tiny-base", "tiny-lora", "tiny-other"]


def test_the_normalised_view_scales_each_column_to_zero_one(app: AppTest) -> None:
    app.toggle(key="normalised").set_value(True).run()
    values = list(app.dataframe[0].value["toy acc"])
    assert min(values) == 0.0 and max(values) == 1.0


def test_the_leaderboard_offers_csv_and_json_export(app: AppTest) -> None:
    labels = [element.proto.label for element in app.get("download_button")]
    assert labels == ["Export CSV", "Export JSON"]


def test_lineage_shows_the_lora_edge_under_its_parent(app: AppTest) -> None:
    _page(app, "lineage")
    text = "\n".join(m.value for m in app.markdown)
    assert "**tiny-base**" in text and "**tiny-other**" in text
    assert "↳ **tiny-lora** · lora" in text
    assert "from **tiny-base** via `recipes/lora_sft.yaml` · vs parent on toy:" in text


def test_run_detail_shows_the_tasks_categories_and_provenance(
    app: AppTest, filled_store: FilledStore
) -> None:
    _page(app, "run_detail")
    run_id = filled_store.run_ids["tiny-lora"]
    label = next(
        option for option in app.selectbox(key="run").options if option.startswith(run_id[:8])
    )
    app.selectbox(key="run").select(label).run()
    frames = [df.value for df in app.dataframe]
    aggregates, tasks = frames[0], frames[1]
    assert set(aggregates["name"]) == {"toy", "toy/a"}
    assert set(tasks["name"]) == {"toy_mc", "toy_gen"}
    assert set(tasks["metric"]) == {"acc", "acc_norm", "exact_match", "rouge1"}
    assert app.json[-1].value and run_id in app.json[-1].value


def test_samples_lists_exactly_the_items_that_flipped(
    app: AppTest, filled_store: FilledStore
) -> None:
    _page(app, "samples")
    options = app.selectbox(key="run_a").options

    def label(name: str) -> str:
        return next(o for o in options if o.startswith(filled_store.run_ids[name][:8]))

    app.selectbox(key="run_a").select(label("tiny-base")).run()
    app.selectbox(key="run_b").select(label("tiny-other")).run()
    app.selectbox(key="task").select("toy_mc").run()
    app.radio(key="flips").set_value("flipped (either way)").run()
    with open_store(filled_store.path) as store:
        a = store.get_samples(filled_store.run_ids["tiny-base"], "toy_mc")
        b = store.get_samples(filled_store.run_ids["tiny-other"], "toy_mc")
    expected = [
        doc_id
        for doc_id, (x, y) in enumerate(zip(a, b, strict=True))
        if x.metrics["acc"] != y.metrics["acc"]
    ]
    assert expected, "the fixture's models should disagree on some items"
    assert [
        p.doc_id for p in filter_pairs(pair_samples(a, b), "acc", "flipped (either way)")
    ] == expected
    shown = app.dataframe[0].value
    assert list(shown["doc"]) == expected
    assert set(shown["flip"]) <= {"correct→wrong", "wrong→correct"}
    counts = {m.label: int(m.value) for m in app.metric}
    assert counts["correct→wrong"] + counts["wrong→correct"] == len(expected)


def test_samples_show_a_react_trajectory_step_by_step(
    react_store: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HARNESS_STORE", str(react_store))
    app = _page(AppTest.from_file(str(APP), default_timeout=TIMEOUT).run(), "samples")
    with open_store(react_store) as store:
        (run,) = store.list_runs()
        (sample,) = store.get_samples(run.run_id, "react_boolq")
    steps = sample.outputs.steps  # type: ignore[union-attr]
    assert steps
    shown = app.table[0].value
    assert list(shown.columns) == ["thought", "action", "observation"]
    assert list(shown["observation"]) == [s.observation for s in steps]
    assert f"**Trajectory** ({len(steps)} steps)" in [m.value for m in app.markdown]


def test_samples_show_per_choice_probabilities(app: AppTest) -> None:
    _page(app, "samples")
    app.selectbox(key="task").select("toy_mc").run()
    probabilities = app.dataframe[1].value
    assert list(probabilities.columns) == ["choice", "probability"]
    assert sum(probabilities["probability"]) == pytest.approx(1.0)


def test_training_shows_the_curves_of_trained_variants(app: AppTest) -> None:
    _page(app, "training")
    assert [h.value for h in app.subheader] == ["tiny-lora"]


def test_chains_show_each_prompt_answer_critique_and_revision_with_its_principle(
    chains_store: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from harness.registry import get_variant

    monkeypatch.setenv("HARNESS_STORE", str(chains_store))
    app = _page(AppTest.from_file(str(APP), default_timeout=TIMEOUT).run(), "chains")
    assert app.selectbox(key="chain_stage").options == ["tiny-cai-sl"]
    chains = get_variant(chains_store, "tiny-cai-sl").details["chains"]
    texts = [t.value for t in app.text]
    expected = []
    for chain in chains:
        expected += [chain["prompt"].strip(), chain["initial"]]
        for step in chain["rounds"]:
            expected += [step["critique"], step["revision"]]
        expected.append(chain["final"])
    assert texts == expected  # every chain, every round, in order
    headings = [m.value for m in app.markdown]
    principles = [step["principle"] for chain in chains for step in chain["rounds"]]
    assert [h for h in headings if h.startswith("**Round")] == [
        f"**Round {n}** · principle `{p}`" for n, p in zip([1, 2, 1, 2], principles, strict=True)
    ]
    assert "trained from it: tiny-cai" in app.caption[0].value


def test_gates_list_the_stored_decision_and_its_table(app: AppTest) -> None:
    _page(app, "gates")
    decisions, table = app.dataframe[0].value, app.dataframe[1].value
    assert list(decisions["verdict"]) == ["inconclusive"]
    assert list(table["metric"]) == ["acc"]


def _store_with_one_plain_run(path: Path) -> None:
    """A run of a model with no parent, no training curves and no gate decision."""
    from datetime import UTC, datetime

    from harness.store import ModelRecord, RunRecord

    with open_store(path) as store:
        store.upsert_model(
            ModelRecord(
                model_hash="h",
                spec="m",
                name="plain",
                source="hub:org/plain",
                n_parameters=10,
                dtype="float32",
            )
        )
        store.create_run(
            RunRecord(
                run_id="abc123abc123",
                created_at=datetime(2026, 1, 1, tzinfo=UTC),
                status="complete",
                suite="toy",
                suite_hash="s",
                model_spec="m",
                model_hash="h",
                harness_version="0",
                git_commit=None,
                device="cpu",
                dtype="float32",
                config={},
            )
        )


@pytest.mark.parametrize(
    ("page", "says"),
    [
        ("lineage", "harness train"),
        ("training", "harness train"),
        ("chains", "harness train constitutional"),
        ("gates", "harness gate"),
    ],
)
def test_pages_with_nothing_to_show_name_the_command_that_fills_them(
    page: str, says: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _store_with_one_plain_run(tmp_path / "plain.db")
    monkeypatch.setenv("HARNESS_STORE", str(tmp_path / "plain.db"))
    app = _page(AppTest.from_file(str(APP), default_timeout=TIMEOUT).run(), page)
    assert says in app.info[0].value
