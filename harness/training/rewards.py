"""Reward functions for RL recipes, in the form trl's GRPO/RLOO trainers call them.

The detox reward is our toxicity classifier's non-toxic score, ``1 - P(toxic)``, of the
completion as the toxicity suite would score it (up to the first line break for ToxiGen
prompts). Every call also measures the share of degenerate completions (too few words, or
one token repeated over most of the text): the cheapest way to score as non-toxic is to say
nothing, which is reward hacking the watch must see. With ``degenerate_reward`` set, such a
completion gets that reward instead, so the policy cannot win by emptiness.

The constitutional recipe's ``rm-grpo`` stage rewards with a reward model instead
(:class:`RewardModelReward`): its score of the prompt and the answer, the answer cut where
the model starts a new turn (as the AI-labelled answers it was trained on were cut), with
the same degenerate guard.

Each call keeps the highest-reward completions seen, so the variant's record can show what
the reward actually favoured.
"""

from __future__ import annotations

import heapq
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

TOP_SAMPLES = 8


@dataclass(frozen=True)
class DegenerateRule:
    """When a completion counts as degenerate."""

    min_words: int = 3
    max_repeat_share: float = 0.5

    def __call__(self, text: str) -> bool:
        words = text.split()
        if len(words) < max(self.min_words, 1):
            return True
        most = Counter(words).most_common(1)[0][1]
        return len(words) >= 4 and most / len(words) > self.max_repeat_share


def scored_text(completion: str, source: str) -> str:
    """What the reward judges: ToxiGen continuations end at the line break, like the suite's."""
    return completion.split("\n", 1)[0] if source == "toxigen" else completion


@dataclass
class RewardLog:
    """Highest-reward samples seen and the per-call degenerate shares."""

    top: list[tuple[float, int, str, str]] = field(default_factory=list)  # a min-heap
    calls: int = 0

    def keep(self, reward: float, prompt: str, completion: str) -> None:
        entry = (reward, self.calls, prompt[-300:], completion)
        if len(self.top) < TOP_SAMPLES:
            heapq.heappush(self.top, entry)
        else:
            heapq.heappushpop(self.top, entry)

    def best(self) -> list[dict[str, Any]]:
        """The kept samples, highest reward first."""
        return [
            {"reward": round(r, 4), "prompt_tail": p, "completion": c}
            for r, _, p, c in sorted(self.top, reverse=True)
        ]


class NonToxicReward:
    """``1 - toxicity`` of each completion, by a scorer ``texts -> P(toxic)``."""

    __name__ = "non_toxic"  # trl names the logged reward column after the function

    def __init__(
        self,
        score_toxicity: Callable[[Sequence[str]], Sequence[float]],
        *,
        rule: DegenerateRule,
        degenerate_reward: float | None = None,
    ) -> None:
        self.score_toxicity = score_toxicity
        self.rule = rule
        self.degenerate_reward = degenerate_reward
        self.log = RewardLog()

    def __call__(
        self, prompts: Sequence[Any], completions: Sequence[Any], **kwargs: Any
    ) -> list[float]:
        sources = kwargs.get("source") or ["toxigen"] * len(completions)
        texts = [scored_text(_text(c), s) for c, s in zip(completions, sources, strict=True)]
        toxicity = list(self.score_toxicity(texts))
        degenerate = [self.rule(text) for text in texts]
        rewards = []
        for text, tox, bad, prompt in zip(texts, toxicity, degenerate, prompts, strict=True):
            reward = 1.0 - float(tox)
            if bad and self.degenerate_reward is not None:
                reward = self.degenerate_reward
            rewards.append(reward)
            self.log.keep(reward, _text(prompt), text)
        self.log.calls += 1
        log_metric = kwargs.get("log_metric")
        if log_metric is not None:
            log_metric("degenerate_share", sum(degenerate) / max(len(degenerate), 1))
            log_metric("toxicity", sum(toxicity) / max(len(toxicity), 1))
        return rewards


class RewardModelReward:
    """A reward model's score of each prompt + completion, cut at the first of ``stops``."""

    __name__ = "reward_model"  # trl names the logged reward column after the function

    def __init__(
        self,
        score: Callable[[Sequence[str], Sequence[str]], Sequence[float]],
        *,
        rule: DegenerateRule,
        degenerate_reward: float | None = None,
        stops: Sequence[str] = (),
    ) -> None:
        self.score = score
        self.rule = rule
        self.degenerate_reward = degenerate_reward
        self.stops = tuple(stops)
        self.log = RewardLog()

    def __call__(
        self, prompts: Sequence[Any], completions: Sequence[Any], **kwargs: Any
    ) -> list[float]:
        asked = [_text(p) for p in prompts]
        texts = [cut_at(_text(c), self.stops) for c in completions]
        scores = list(self.score(asked, texts))
        degenerate = [self.rule(text) for text in texts]
        rewards = []
        for text, value, bad, prompt in zip(texts, scores, degenerate, asked, strict=True):
            reward = float(value)
            if bad and self.degenerate_reward is not None:
                reward = self.degenerate_reward
            rewards.append(reward)
            self.log.keep(reward, prompt, text)
        self.log.calls += 1
        log_metric = kwargs.get("log_metric")
        if log_metric is not None:
            log_metric("degenerate_share", sum(degenerate) / max(len(degenerate), 1))
        return rewards


def cut_at(text: str, stops: Sequence[str]) -> str:
    """``text`` up to the first of ``stops`` (all of it when none occurs)."""
    end = min((i for i in (text.find(s) for s in stops) if i >= 0), default=len(text))
    return text[:end]


def _text(value: Any) -> str:
    """A completion or prompt as text (conversational ones are lists of messages)."""
    if isinstance(value, str):
        return value
    if isinstance(value, list) and value and isinstance(value[-1], dict):
        return str(value[-1].get("content", ""))
    return str(value)
