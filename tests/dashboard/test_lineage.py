"""The variant tree and its edges: parent links from model records, paired differences."""

from __future__ import annotations

from filled_store import FilledStore
from snapshot_factories import model, run, snapshot

from harness.leaderboard import edge_runs, has_edges, lineage_forest, load_snapshot
from harness.leaderboard.lineage import EdgeDiff, safe_compare_edge
from harness.store import open_store


def test_variants_hang_under_their_parent_and_orphans_become_roots() -> None:
    snap = snapshot(
        [
            run("r1", "src", "mmlu"),
            run("r2", "sft", "mmlu", 1),
            run("r3", "q4", "mmlu", 2),
            run("r4", "lost", "mmlu", 3),
        ],
        [
            model("src"),
            model("sft", kind="instruct", parent="hash-src"),
            model("q4", kind="quantized", parent="hash-sft"),
            model("lost", parent="hash-gone"),
        ],
        [],
    )
    forest = lineage_forest(snap)
    assert [root.variant.name for root in forest] == ["lost", "src"]
    assert [(depth, node.variant.name) for depth, node in forest[1].walk()] == [
        (0, "src"),
        (1, "sft"),
        (2, "q4"),
    ]
    assert has_edges(forest)


def test_without_parents_every_model_is_a_root() -> None:
    snap = snapshot(
        [run("r1", "a", "mmlu"), run("r2", "b", "mmlu", 1)], [model("a"), model("b")], []
    )
    assert not has_edges(lineage_forest(snap))


def test_an_edge_compares_the_childs_latest_run_with_the_parents(filled_store: FilledStore) -> None:
    with open_store(filled_store.path) as store:
        forest = lineage_forest(load_snapshot(store))
        base = next(root for root in forest if root.variant.name == "tiny-base")
        (child,) = base.children
        assert child.variant.recipe == "recipes/lora_sft.yaml"
        ((parent_run, child_run),) = edge_runs(base, child)
        assert (parent_run.run_id, child_run.run_id) == (
            filled_store.run_ids["tiny-base"],
            filled_store.run_ids["tiny-lora"],
        )
        diffs, note = safe_compare_edge(store, parent_run, child_run)
    assert note is None
    acc = next(d for d in diffs if d.metric == "acc")
    assert acc.difference == acc.child_value - acc.parent_value


def test_an_edge_is_a_gain_or_regression_only_when_its_interval_excludes_zero() -> None:
    def diff(low: float, high: float, hib: bool = True) -> EdgeDiff:
        return EdgeDiff("s", "t", "acc", 0.5, 0.6, 0.1, low, high, 0.01, hib)

    assert diff(0.01, 0.2).status == "gain"
    assert diff(-0.2, -0.01).status == "regression"
    assert diff(-0.01, 0.2).status == "no significant change"
    assert diff(-0.2, -0.01, hib=False).status == "gain"
