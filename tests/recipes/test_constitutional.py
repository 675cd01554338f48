"""Constitutional AI: AI-feedback arithmetic with scripted judges, and the staged recipe on a
tiny random Llama (stages registered under the right parents, resumable, DPO moves the
margin on its own AI-labelled pairs)."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from harness.backends.requests import LoglikelihoodRequest, LoglikelihoodResult
from harness.metrics import get_metric
from harness.metrics.judge import choice_probability, position_bias_rate
from harness.metrics.outcome import ItemOutcome, JudgeVerdict
from harness.training.constitution import load_constitution
from harness.training.feedback import Comparison, compare

OPTION = re.compile(r"\n\(A\) (.*)\n\(B\) (.*)\nThe answer is:$", re.S)


class ScriptedJudge:
    """A judge whose rule is known: it answers (A) or (B) by ``pick(first, second)``.

    Its loglikelihood is 0 for the option the rule picks and -5 for the other, so the
    normalised choice probability is e^0 / (e^0 + e^-5) for the pick.
    """

    def __init__(self, pick: Any) -> None:
        self.pick = pick

    def loglikelihood(
        self, requests: Sequence[LoglikelihoodRequest], progress: Any = None
    ) -> list[LoglikelihoodResult]:
        out = []
        for request in requests:
            match = OPTION.search(request.context)
            assert match is not None, request.context
            chosen = self.pick(match.group(1), match.group(2))
            logprob = 0.0 if request.continuation == f" ({chosen})" else -5.0
            out.append(LoglikelihoodResult(logprob, True, 1))
        return out


def shorter(first: str, second: str) -> str:
    return "A" if len(first) < len(second) else "B"


COMPARISONS = [
    Comparison("Human: hi\n\nAssistant:", "short", "a much longer answer", "Which is better?"),
    Comparison("Human: yo\n\nAssistant:", "a much longer answer", "tiny", "Which is better?"),
]


def test_a_judge_preferring_the_shorter_answer_does_so_in_both_orders() -> None:
    verdicts = compare(ScriptedJudge(shorter), COMPARISONS)  # type: ignore[arg-type]
    high = choice_probability(0.0, -5.0)
    assert verdicts[0].p_first == pytest.approx(high) and verdicts[0].p_second == pytest.approx(
        high
    )
    assert verdicts[1].p_first == pytest.approx(1 - high)
    assert verdicts[1].p_second == pytest.approx(1 - high)
    assert [v.flipped for v in verdicts] == [False, False]
    assert position_bias_rate([(v.p_first, v.p_second) for v in verdicts]) == 0.0


def test_a_judge_always_answering_a_has_position_bias_one_and_no_preference() -> None:
    verdicts = compare(ScriptedJudge(lambda a, b: "A"), COMPARISONS)  # type: ignore[arg-type]
    assert all(v.flipped for v in verdicts)
    assert [v.preference for v in verdicts] == [pytest.approx(0.5)] * 2
    assert position_bias_rate([(v.p_first, v.p_second) for v in verdicts]) == 1.0
    outcomes = [ItemOutcome(judge=JudgeVerdict(pairwise=(v.p_first, v.p_second))) for v in verdicts]
    result = get_metric("judge_pairwise").summarize(outcomes)
    assert result.extra["position_bias_rate"] == "1"
    assert result.value == 0.5  # every item a tie


def _pairwise(first: float, second: float, reference: float) -> ItemOutcome:
    return ItemOutcome(judge=JudgeVerdict(pairwise=(first, second), pairwise_reference=reference))


def test_judge_pairwise_win_rate_and_agreement_with_a_reference() -> None:
    outcomes = [
        _pairwise(0.9, 0.8, 1.0),  # win, reference agrees
        _pairwise(0.9, 0.7, 0.0),  # win, reference disagrees
        _pairwise(0.2, 0.1, 0.0),  # loss, agrees
        _pairwise(0.3, 0.4, 0.5),  # loss, reference undecided
    ]
    result = get_metric("judge_pairwise").summarize(outcomes, n_resamples=200)
    assert result.value == 0.5
    assert result.extra["position_bias_rate"] == "0"
    assert result.extra["reference_agreement"] == pytest.approx(str(2 / 3)[:8], abs=0) or float(
        result.extra["reference_agreement"]
    ) == pytest.approx(2 / 3, rel=1e-5)
    assert result.extra["reference_n"] == "3"
    rubric = get_metric("judge_rubric").summarize(
        [
            ItemOutcome(judge=JudgeVerdict(rubric=0.8, rubric_reference=1.0)),
            ItemOutcome(judge=JudgeVerdict(rubric=0.2, rubric_reference=1.0)),
        ]
    )
    assert rubric.value == pytest.approx(0.5) and rubric.extra["reference_agreement"] == "0.5"


def test_the_packaged_constitution_loads_and_a_bad_one_is_refused(tmp_path: Path) -> None:
    from harness.errors import HarnessError

    constitution = load_constitution()
    assert len(constitution.principles) >= 4 and constitution.examples
    bad = tmp_path / "c.yaml"
    bad.write_text("name: x\nprinciples: []\n")
    with pytest.raises(HarnessError, match="principles"):
        load_constitution(str(bad))


TINY_CAI = [
    "parent=tiny-random-llama",
    "name=tiny-cai",
    "prompts.train=12",
    "prompts.heldout=4",
    "prompts.max_prompt_tokens=64",
    "sampling.max_new_tokens=8",
    "evaluate.max_new_tokens=8",
    "evaluate.suites=null",
    "evaluate.toxicity=false",
    "sl.max_length=96",
    "preference.max_length=96",
    "preference.heldout_percent=10",
    "sl.train.max_steps=2",
    "sl.train.batch_size=4",
    "train.max_steps=8",
    "train.batch_size=4",
    "train.learning_rate=5.0e-3",
    "train.warmup=0",
]


def _run(store: Path, *extra: str) -> tuple[Any, bool]:
    from harness.recipes import recipe_module
    from harness.training.run import open_session, train_once

    module = recipe_module("constitutional")
    session = open_session(
        "constitutional",
        module.Config,
        store=store,
        profile="quick",
        overrides=[*TINY_CAI, *extra],
    )
    return train_once(
        session, lambda s: module.run_stages(s, toxicity=lambda xs: [len(x) / 100 for x in xs])
    )


def test_the_stages_register_under_their_parents_resume_and_dpo_moves_its_margin(
    lab: Path,
) -> None:
    from harness.recipes.dpo import completion_logps
    from harness.registry import get_variant, load_variant
    from harness.report.constitutional import constitutional_report, format_constitutional
    from harness.training.preferences import Pair

    final, trained = _run(lab)
    assert trained and final.kind == "rlaif"
    sl = get_variant(lab, final.parent_id)
    root = get_variant(lab, sl.parent_id)
    assert (sl.name, sl.kind, root.name) == (
        "tiny-cai-sl",
        "constitutional-sl",
        "tiny-random-llama",
    )
    chains = Path(sl.details["chains_file"]).read_text().splitlines()
    assert len(chains) == 12 and len(json.loads(chains[0])["rounds"]) == 1
    assert len(final.details["heldout"]["judge_vs_parent"]) == 4
    again, trained_again = _run(lab)  # everything done: nothing runs
    assert not trained_again and again.variant_id == final.variant_id

    rows = [json.loads(x) for x in Path(final.details["feedback_file"]).read_text().splitlines()]
    pairs = [
        Pair(
            r["prompt"],
            *((r["first"], r["second"]) if r["preference"] >= 0.5 else (r["second"], r["first"])),
            "ai",
        )
        for r in rows
    ]
    before = load_variant(lab, sl.variant_id)
    after = load_variant(lab, final.variant_id)
    margin = [
        sum(c - r for c, r in zip(*completion_logps(m.model, m.tokenizer, pairs), strict=True))
        for m in (before, after)
    ]
    assert margin[1] > margin[0]
    text = format_constitutional(constitutional_report(lab, "tiny-cai"))
    assert "judge win rate vs parent" in text and "CRITIQUE" in text
    from harness.alignment import watch_variant
    from harness.errors import HarnessError

    with pytest.raises(HarnessError, match="not an RL variant"):  # DPO has no reward curve
        watch_variant(lab, "tiny-cai")


RM_GRPO = [
    "name=tiny-cai-rm-grpo",
    "preference.method=rm-grpo",
    "preference.reward_model.train.max_steps=24",
    "preference.reward_model.train.batch_size=4",
    "preference.reward_model.train.learning_rate=3.0e-3",
    "preference.reward_model.train.logging_steps=4",
    "preference.rl.policy=full",
    "preference.rl.num_generations=2",
    "preference.rl.max_completion_tokens=6",
    "preference.rl.degenerate_reward=null",  # random tiny models write no words at all
    "train.max_steps=3",
    "train.batch_size=2",
    "train.logging_steps=1",
]


def test_rm_grpo_registers_a_reward_model_and_a_policy_under_the_supervised_stage(
    lab: Path,
) -> None:
    from harness.alignment import watch_variant
    from harness.registry import get_variant, list_variants
    from harness.report.constitutional import constitutional_report, format_constitutional
    from harness.training.reward_model import load_reward_model

    final, trained = _run(lab, *RM_GRPO)
    assert trained and final.kind == "rlaif" and final.details["method"] == "rm-grpo"
    sl = get_variant(lab, final.parent_id)
    assert (sl.name, sl.kind) == ("tiny-cai-rm-grpo-sl", "constitutional-sl")
    rm = get_variant(lab, final.details["reward_model_id"])
    assert (rm.name, rm.kind, rm.parent_id) == (
        "tiny-cai-rm-grpo-rm",
        "reward-model",
        sl.variant_id,
    )
    # Curves of both trainings are kept: the reward model's loss, the policy's reward and KL.
    assert rm.details["training"]["loss"]
    assert {"reward", "kl"} <= set(final.details["training"])
    assert len(final.details["training"]["kl"]) == 3
    # The reward model learnt its own AI-labelled pairs (a random head ranks half of them).
    rows = [json.loads(x) for x in Path(final.details["feedback_file"]).read_text().splitlines()]
    assert rm.details["train_pairs"] >= 8
    assert rm.details["train_accuracy"] >= 0.8
    reward = load_reward_model(lab, rm.name)
    labelled = [r for r in rows if r["preference"] != 0.5]
    chosen = [r["first"] if r["preference"] > 0.5 else r["second"] for r in labelled]
    rejected = [r["second"] if r["preference"] > 0.5 else r["first"] for r in labelled]
    prompts = [r["prompt"] for r in labelled]
    wins = [c > r for c, r in zip(reward(prompts, chosen), reward(prompts, rejected), strict=True)]
    assert sum(wins) / len(wins) >= 0.7
    assert len(final.details["heldout"]["judge_vs_parent"]) == 4
    names = {v.name for v in list_variants(lab)}
    assert {"tiny-cai-rm-grpo", "tiny-cai-rm-grpo-sl", "tiny-cai-rm-grpo-rm"} <= names
    text = format_constitutional(constitutional_report(lab, final.name))
    assert "judge win rate vs parent" in text
    assert (
        f"rewarded by tiny-cai-rm-grpo-rm: pairwise accuracy {rm.details['train_accuracy']:.3f}"
        in text
    )
    # A policy trained against a learned reward is what the reward-hacking watch is for.
    watched = watch_variant(lab, final.name)
    assert watched.kl_last == final.details["training"]["kl"][-1]["value"]
    assert watched.top_samples == final.details["top_reward_samples"]
