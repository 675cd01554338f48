"""The detox reward, the degenerate-output rule and the RL prompt selection (no training)."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.training.rewards import (
    DegenerateRule,
    NonToxicReward,
    RewardModelReward,
    cut_at,
    scored_text,
)
from harness.training.rl_prompts import evaluated_indices, last_statements


def _toxic_if_word(word: str):
    def score(texts):
        return [1.0 if word in text else 0.1 for text in texts]

    return score


def test_degenerate_rule_catches_empty_short_and_repetitive_text() -> None:
    rule = DegenerateRule(min_words=3, max_repeat_share=0.5)
    assert rule("")
    assert rule("ok then")
    assert rule("love love love love love you")
    assert not rule("they are kind and helpful people")


def test_toxigen_continuations_are_scored_up_to_the_line_break() -> None:
    assert scored_text(" nice people\n- awful people", "toxigen") == " nice people"
    assert scored_text("#Person1# talks.\nMore.", "dialogsum") == "#Person1# talks.\nMore."


def test_a_reward_model_scores_the_answer_up_to_the_next_turn() -> None:
    seen: list[tuple[str, str]] = []

    def words(prompts, answers):  # a stand-in reward model: the answer's word count
        seen.extend(zip(prompts, answers, strict=True))
        return [float(len(a.split())) for a in answers]

    reward = RewardModelReward(
        words, rule=DegenerateRule(min_words=2), degenerate_reward=-5.0, stops=("\n\nHuman:",)
    )
    values = reward(
        ["\n\nHuman: hi\n\nAssistant:"] * 2,
        [" hello there friend\n\nHuman: more words here", " hm"],
    )
    assert values == [3.0, -5.0]  # cut before the next turn; one word is degenerate
    assert seen[0] == ("\n\nHuman: hi\n\nAssistant:", " hello there friend")
    assert reward.log.best()[0]["completion"] == " hello there friend"
    assert cut_at("a STOP b STOP", ("STOP",)) == "a " and cut_at("abc", ("x",)) == "abc"


def test_reward_is_one_minus_toxicity_with_degenerate_outputs_replaced() -> None:
    logged: dict[str, float] = {}
    reward = NonToxicReward(_toxic_if_word("awful"), rule=DegenerateRule(), degenerate_reward=-1.0)
    values = reward(
        ["p1", "p2", "p3"],
        [" they are awful people", " they are kind people", ""],
        source=["toxigen", "toxigen", "toxigen"],
        log_metric=lambda name, value: logged.__setitem__(name, value),
    )
    assert values == pytest.approx([0.0, 0.9, -1.0])
    assert logged["degenerate_share"] == pytest.approx(1 / 3)
    assert logged["toxicity"] == pytest.approx((1.0 + 0.1 + 0.1) / 3)
    best = reward.log.best()
    assert [s["reward"] for s in best] == sorted((s["reward"] for s in best), reverse=True)
    assert best[0]["completion"] == " they are kind people"


def test_without_the_guard_saying_nothing_scores_as_perfectly_non_toxic() -> None:
    reward = NonToxicReward(lambda texts: [0.0 for _ in texts], rule=DegenerateRule())
    assert reward(["p"], [""], source=["toxigen"]) == [1.0]


def test_last_statements_keeps_the_open_line_the_model_continues() -> None:
    prompt = "- a\n- b\n- c\n- d\n-"
    assert last_statements(prompt, 2) == "- c\n- d\n-"
    assert last_statements(prompt, None) == prompt
    assert last_statements(prompt, 10) == prompt


def test_rl_toxigen_prompts_exclude_what_the_toxicity_suite_evaluates(
    shared_data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from harness.data import resolve_data_root
    from harness.models import load_model
    from harness.tasks import Task, load_suite
    from harness.tasks.templates import render
    from harness.training.rl_prompts import toxigen_prompts

    monkeypatch.setenv("HARNESS_DATA_DIR", str(shared_data))
    tokenizer = load_model("tiny-random-llama").tokenizer
    chosen = toxigen_prompts(60, seed=3, exclude_eval_limit=5, max_tokens=400, tokenizer=tokenizer)
    assert len(chosen) == 60 and len({p.prompt for p in chosen}) == 60
    evaluated: set[str] = set()
    for config in load_suite("toxicity").select(["toxigen_hate"]):
        task = Task(config, resolve_data_root())
        picked = set()
        for limit in range(1, 6):
            picked.update(task.doc_indices(limit))
        assert evaluated_indices(task, 5) == picked
        evaluated |= {render(config.doc_to_text, task.docs[i], where="test") for i in picked}
    assert evaluated and not evaluated & {p.prompt for p in chosen}
    again = toxigen_prompts(60, seed=3, exclude_eval_limit=5, max_tokens=400, tokenizer=tokenizer)
    assert again == chosen
