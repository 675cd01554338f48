"""The chains the Critique chains page shows, read from registered variants (pure)."""

from __future__ import annotations

from typing import Any

from harness.leaderboard.chains import ChainRound, critique_chains
from harness.registry import Variant, new_variant


def _variant(name: str, kind: str, details: dict[str, Any], parent: str | None = None) -> Variant:
    return new_variant(
        name=name,
        kind=kind,
        parent_id=parent,
        path=None,
        recipe="constitutional",
        config={"name": name},
        data_hash=None,
        weights_hash=name * 8,
        total_params=1,
        trainable_params=1,
        training_seconds=None,
        final_losses={},
        details=details,
    )


def test_a_stage_lists_its_chains_rounds_and_children_and_skips_what_is_not_a_chain() -> None:
    rounds = [
        {"principle": "harm", "critique": "c1", "revision": "r1"},
        {"principle": "respect", "critique": "c2", "revision": "  "},
    ]
    sl = _variant(
        "cai-sl",
        "constitutional-sl",
        {
            "constitution": "mine",
            "examples": 12,
            "chains": [
                {"prompt": "P", "initial": "A", "rounds": rounds},  # no "final": derived
                "not a chain",
            ],
        },
    )
    final = _variant("cai", "rlaif", {}, parent=sl.variant_id)
    other = _variant("lora", "lora", {"chains": [{"prompt": "x"}]})
    (stage,) = critique_chains([sl, final, other])
    assert (stage.variant, stage.constitution, stage.examples) == ("cai-sl", "mine", 12)
    assert stage.children == ("cai",)
    (chain,) = stage.chains
    assert chain.rounds == (ChainRound("harm", "c1", "r1"), ChainRound("respect", "c2", "  "))
    assert chain.final == "r1"  # a blank revision keeps the answer before it, as Chain.final
