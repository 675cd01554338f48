"""Preference data and the reward-model and DPO recipes, on tiny inputs and a tiny random Llama."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tiny_training import train_tiny

from harness.errors import HarnessError
from harness.registry import get_variant, list_variants, load_variant
from harness.training.preferences import (
    Pair,
    hh_rlhf_pairs,
    load_hh_rlhf_rows,
    ranked_pairs,
    split_by_prompt,
    split_dialogue,
)

DIALOGUE = (
    "\n\nHuman: How do I boil an egg?\n\nAssistant: Put it in boiling water."
    "\n\nHuman: For how long?\n\nAssistant: About nine minutes."
)

POLITE = [
    "Thank you, I am glad to help.",
    "Sure, here is a kind answer.",
    "Happy to help, have a nice day.",
    "Of course, thanks for asking.",
]
RUDE = ["idiot", "stupid", "moron", "dumb"]


def write_ranked(path: Path, rows: list[object]) -> Path:
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    return path


def toy_preferences(path: Path, prompts: int = 64) -> Path:
    """Distinct prompts, each with a polite reply ranked above a string of one rude word."""
    rows = [
        {
            "prompt": f"Question {i}: what should I say to my neighbour about item {i}?\nAnswer:",
            "responses": [" " + " ".join([RUDE[i % 4]] * (4 + i % 5)), " " + POLITE[i % 4]],
            "ranking": [2, 1],
        }
        for i in range(prompts)
    ]
    return write_ranked(path, rows)


# Toy preference runs: 64 prompts, a quarter held out, every step on a fresh batch.
TINY_PREFERENCE = [
    "parent=tiny-random-llama",
    "data.limit=null",
    "data.heldout_percent=25",
    "data.max_length=64",
    "heldout_limit=null",
    "train.batch_size=8",
    "train.save_steps=10",
    "train.logging_steps=2",
    "train.warmup=0",
]


def test_a_dialogue_splits_at_the_last_assistant_turn() -> None:
    prompt, response = split_dialogue(DIALOGUE) or ("", "")
    assert prompt == (
        "\n\nHuman: How do I boil an egg?\n\nAssistant: Put it in boiling water."
        "\n\nHuman: For how long?\n\nAssistant:"
    )
    assert response == " About nine minutes."
    assert split_dialogue("\n\nHuman: no reply yet") is None


def test_hh_rows_become_pairs_unless_prompts_differ_or_a_reply_is_empty() -> None:
    other = DIALOGUE.replace("About nine minutes.", "Forever.")
    rows = [
        {"chosen": DIALOGUE, "rejected": other},
        {"chosen": DIALOGUE, "rejected": other.replace("boil", "fry")},  # prompts differ
        {"chosen": DIALOGUE, "rejected": other.replace(" Forever.", " ")},  # empty reply
    ]
    (pair,) = hh_rlhf_pairs(rows)
    assert pair.chosen == " About nine minutes." and pair.rejected == " Forever."
    assert pair.prompt.endswith("For how long?\n\nAssistant:")


def test_the_hh_split_is_deterministic_and_disjoint_by_prompt(shared_data: Path, lab: Path) -> None:
    pairs = hh_rlhf_pairs(load_hh_rlhf_rows())
    assert len(pairs) > 2000  # the harmless-base test split has 2312 rows
    train, heldout = split_by_prompt(pairs, 10, 0)
    assert (train, heldout) == split_by_prompt(pairs, 10, 0)
    assert not {p.prompt for p in train} & {p.prompt for p in heldout}
    assert 0.07 < len(heldout) / len(pairs) < 0.13
    assert split_by_prompt(pairs, 10, 1)[1] != heldout  # the seed changes the split


def test_three_ranked_responses_give_three_pairs_best_first(tmp_path: Path) -> None:
    path = write_ranked(
        tmp_path / "ranked.jsonl",
        [{"prompt": "P", "responses": ["mid", "worst", "best"], "ranking": [2, 3, 1]}],
    )
    assert ranked_pairs(path) == [
        Pair("P", "best", "mid", "ranked:ranked.jsonl"),
        Pair("P", "best", "worst", "ranked:ranked.jsonl"),
        Pair("P", "mid", "worst", "ranked:ranked.jsonl"),
    ]


def test_without_a_ranking_responses_are_best_first_and_ties_give_no_pair(
    tmp_path: Path,
) -> None:
    path = write_ranked(
        tmp_path / "ranked.jsonl",
        [
            {"prompt": "A", "responses": ["x", "y"]},
            {"prompt": "B", "responses": ["u", "v", "w"], "ranking": [1, 1, 2]},
        ],
    )
    assert [(p.prompt, p.chosen, p.rejected) for p in ranked_pairs(path)] == [
        ("A", "x", "y"),
        ("B", "u", "w"),
        ("B", "v", "w"),
    ]


@pytest.mark.parametrize(
    ("row", "problem"),
    [
        ({"prompt": "P", "responses": ["a", "b"], "ranking": [1]}, "'ranking'"),
        ({"prompt": "P", "responses": "ab"}, "'responses'"),
        ({"responses": ["a", "b"]}, "'prompt'"),
    ],
)
def test_a_malformed_ranked_row_names_its_line(tmp_path: Path, row: object, problem: str) -> None:
    good = {"prompt": "ok", "responses": ["a", "b"]}
    path = write_ranked(tmp_path / "ranked.jsonl", [good, row])
    with pytest.raises(HarnessError, match=rf"line 2: {problem}"):
        ranked_pairs(path)


def test_reward_model_ranks_polite_above_rude_on_heldout_prompts(lab: Path, tmp_path: Path) -> None:
    ranked = toy_preferences(tmp_path / "toy.jsonl")
    variant = train_tiny(
        "reward-model",
        lab,
        "name=tiny-rm",
        f"data.ranked_file={ranked}",
        "train.max_steps=24",
        "train.learning_rate=3e-3",
        base=TINY_PREFERENCE,
    )
    assert variant.kind == "reward-model"
    assert get_variant(lab, variant.parent_id).spec == "tiny-random-llama"
    assert variant.details["heldout_pairs"] >= 8
    assert variant.details["heldout_accuracy"] >= 0.8
    assert variant.details["split"] == "toy.jsonl, 75/25 by seeded prompt hash"
    # Scoring through the registry gives the same verdict; loading it as an LM is refused.
    from harness.training.reward_model import load_reward_model

    reward = load_reward_model(lab, "tiny-rm")
    polite, rude = reward(["Question 999: hello?\nAnswer:"] * 2, [" " + POLITE[0], " idiot idiot"])
    assert polite > rude
    with pytest.raises(HarnessError, match="reward model"):
        load_variant(lab, "tiny-rm")
    assert "tiny-rm" in {v.name for v in list_variants(lab)}


def test_dpo_raises_the_heldout_margin_and_registers_an_adapter(lab: Path, tmp_path: Path) -> None:
    ranked = toy_preferences(tmp_path / "toy.jsonl")
    variant = train_tiny(
        "dpo",
        lab,
        "name=tiny-dpo",
        f"data.ranked_file={ranked}",
        "train.max_steps=10",
        "train.batch_size=4",
        "train.learning_rate=2e-2",
        "dpo.lora.rank=8",
        base=TINY_PREFERENCE,
    )
    before, after = variant.details["heldout_before"], variant.details["heldout_after"]
    assert before["reward_margin"] == pytest.approx(0.0, abs=1e-4)  # policy == reference
    assert after["reward_margin"] > 0.5
    assert after["reward_accuracy"] >= 0.8
    assert after["logprob_margin"] > before["logprob_margin"]
    assert after["chosen_wins"] >= before["chosen_wins"]
    assert variant.kind == "dpo"
    assert (Path(variant.path) / "adapter_config.json").is_file()
    assert get_variant(lab, variant.parent_id).spec == "tiny-random-llama"
    assert "rewards/margins" in variant.details["training"]
    assert load_variant(lab, "tiny-dpo").weights_hash == variant.weights_hash


def test_full_dpo_trains_every_weight_against_a_frozen_reference(lab: Path, tmp_path: Path) -> None:
    ranked = toy_preferences(tmp_path / "toy.jsonl", prompts=32)
    variant = train_tiny(
        "dpo",
        lab,
        "name=tiny-dpo-full",
        f"data.ranked_file={ranked}",
        "dpo.policy=full",
        "train.max_steps=4",
        "train.batch_size=4",
        "train.learning_rate=3e-3",
        base=TINY_PREFERENCE,
    )
    assert variant.trainable_params == variant.total_params
    assert variant.details["heldout_after"]["reward_margin"] > 0
    assert load_variant(lab, "tiny-dpo-full").weights_hash == variant.weights_hash
