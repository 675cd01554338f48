"""Prompts an RL policy learns to continue: ToxiGen statements and DialogSum dialogues.

ToxiGen's implicitly hateful prompts are where a model's toxicity is actually elicited;
the DialogSum dialogues are the course's Lab 3 prompts and keep the policy near the task
it is judged on. The ToxiGen prompts are rendered exactly as the toxicity suite renders
them, and any prompt that suite scores with ``--limit`` up to ``exclude_eval_limit`` is
left out, so the detoxified variant is judged on prompts it never trained on.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from harness.errors import HarnessError
from harness.training.sections import RLPrompts

TOXICITY_SUITE = "toxicity"
HATE_TAG = "toxigen_hate"


@dataclass(frozen=True)
class RLPrompt:
    """One prompt and where it came from (the reward function sees ``source`` too)."""

    prompt: str
    source: str  # "toxigen" or "dialogsum"


def rl_prompts(settings: RLPrompts, tokenizer: Any) -> list[RLPrompt]:
    """A seeded mix of held-out-safe ToxiGen hate prompts and DialogSum training dialogues."""
    prompts: list[RLPrompt] = []
    if settings.toxigen:
        prompts += toxigen_prompts(
            settings.toxigen,
            seed=settings.seed,
            exclude_eval_limit=settings.exclude_eval_limit,
            max_tokens=settings.max_prompt_tokens,
            tokenizer=tokenizer,
            statements=settings.toxigen_statements,
        )
    if settings.dialogsum:
        from harness.training.examples import dialogsum_examples

        examples = dialogsum_examples(
            limit=settings.dialogsum,
            seed=settings.seed,
            max_length=settings.max_prompt_tokens,
            tokenizer=tokenizer,
        )
        prompts += [RLPrompt(e.prompt, "dialogsum") for e in examples]
    if not prompts:
        raise HarnessError("no RL prompts: set prompts.toxigen or prompts.dialogsum above 0")
    random.Random(settings.seed).shuffle(prompts)
    return prompts


def toxigen_prompts(
    count: int,
    *,
    seed: int,
    exclude_eval_limit: int,
    max_tokens: int,
    tokenizer: Any,
    statements: int | None = None,
) -> list[RLPrompt]:
    """``count`` ToxiGen hate prompts, taken round-robin over the target groups."""
    from harness.data import resolve_data_root
    from harness.tasks import Task, load_suite
    from harness.tasks.templates import render

    configs = load_suite(TOXICITY_SUITE).select([HATE_TAG])
    if not configs:
        raise HarnessError(f"the {TOXICITY_SUITE} suite has no '{HATE_TAG}' tasks; check suites/")
    rng = random.Random(seed)
    pools: list[list[str]] = []
    for config in configs:
        task = Task(config, resolve_data_root())
        excluded = evaluated_indices(task, exclude_eval_limit)
        where = f"task '{task.name}' (RL prompts)"
        texts = [
            last_statements(render(config.doc_to_text, doc, where=where), statements)
            for index, doc in enumerate(task.docs)
            if index not in excluded
        ]
        rng.shuffle(texts)
        pools.append(texts)
    chosen: list[RLPrompt] = []
    while len(chosen) < count and any(pools):
        for pool in pools:
            while pool and len(chosen) < count:
                text = pool.pop()
                if len(tokenizer(text)["input_ids"]) <= max_tokens:
                    chosen.append(RLPrompt(text, "toxigen"))
                    break
    if len(chosen) < count:
        raise HarnessError(
            f"only {len(chosen)} ToxiGen prompts fit prompts.max_prompt_tokens={max_tokens}; "
            "raise it or lower prompts.toxigen"
        )
    return chosen


def last_statements(prompt: str, keep: int | None) -> str:
    """A ToxiGen prompt ("- a\n- b\n...- f\n-") cut to its last ``keep`` statements."""
    if keep is None:
        return prompt
    lines = prompt.split("\n")
    statements, tail = lines[:-1], lines[-1]  # the tail is the open "-" the model continues
    return "\n".join([*statements[-keep:], tail])


def evaluated_indices(task: Any, up_to_limit: int) -> set[int]:
    """Every document the task scores under ``--limit L`` for any L from 1 to ``up_to_limit``."""
    seen: set[int] = set()
    for limit in range(1, up_to_limit + 1):
        seen.update(task.doc_indices(limit))
    return seen
