"""Red-team prompts and the supervised stage's critique -> revision chains.

Red-team prompts are the first human turn of each hh-rlhf harmless-base dialogue (the
requests red-teamers wrote to elicit harm), de-duplicated and split into train and
held-out prompts by a seeded hash of the prompt text, so no prompt is on both sides.

A chain starts from the policy's sampled answer; each round draws a principle at random
(seeded), asks the model to critique its current answer against it, then to revise the
answer in the light of the critique. Every round's text is kept (``chains.jsonl`` in the
variant's folder), and the last revision is the supervised target.
"""

from __future__ import annotations

import json
import random
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from harness.errors import HarnessError
from harness.hashing import is_heldout
from harness.training.constitution import Constitution, critique_prompt, revision_prompt
from harness.training.preferences import ASSISTANT_TURN, load_hh_rlhf_rows

if TYPE_CHECKING:
    from harness.backends.base import Backend
    from harness.backends.generation_config import GenerationConfig

# A generated turn ends where the model starts the next turn or the next request.
TURN_STOPS = ("\n\nHuman:", "\n\nCritique request:", "\n\nRevision request:", "\n\n---")


@dataclass(frozen=True)
class PromptSplit:
    train: list[str]
    heldout: list[str]


def red_team_prompts(
    *,
    train_limit: int | None,
    heldout_limit: int | None,
    heldout_percent: int,
    seed: int,
    max_tokens: int,
    tokenizer: Any,
) -> PromptSplit:
    """Seeded samples of train and held-out first human turns that fit ``max_tokens``."""
    seen: dict[str, None] = {}
    for row in load_hh_rlhf_rows():
        text = str(row.get("chosen", ""))
        cut = text.find(ASSISTANT_TURN)
        if cut > 0:
            seen.setdefault(text[: cut + len(ASSISTANT_TURN)], None)
    prompts = list(seen)
    train = [p for p in prompts if not is_heldout(p, heldout_percent, seed)]
    heldout = [p for p in prompts if is_heldout(p, heldout_percent, seed)]
    split = PromptSplit(
        _sample(train, train_limit, seed, max_tokens, tokenizer),
        _sample(heldout, heldout_limit, seed, max_tokens, tokenizer),
    )
    if not split.train or not split.heldout:
        raise HarnessError(
            f"{len(split.train)} train and {len(split.heldout)} held-out red-team prompts fit "
            f"prompts.max_prompt_tokens={max_tokens}; raise it or the limits"
        )
    return split


def _sample(
    prompts: list[str], limit: int | None, seed: int, max_tokens: int, tokenizer: Any
) -> list[str]:
    order = list(prompts)
    random.Random(seed).shuffle(order)
    kept: list[str] = []
    for prompt in order:
        if limit is not None and len(kept) >= limit:
            break
        if len(tokenizer(prompt)["input_ids"]) <= max_tokens:
            kept.append(prompt)
    return kept


@dataclass(frozen=True)
class Round:
    principle: str
    critique: str
    revision: str


@dataclass
class Chain:
    """A prompt, the first answer, and each critique/revision round in order."""

    prompt: str
    initial: str
    rounds: list[Round] = field(default_factory=list)

    @property
    def final(self) -> str:
        """The last non-empty answer (a blank revision keeps the answer before it)."""
        answer = self.initial
        for step in self.rounds:
            if step.revision.strip():
                answer = step.revision
        return answer


def generate(backend: Backend, prompts: Sequence[str], config: GenerationConfig) -> list[str]:
    """One continuation per prompt, stripped of surrounding space."""
    from harness.backends.requests import GenerationRequest

    results = backend.generate([GenerationRequest(p, config) for p in prompts])
    return [r.text.strip() for r in results]


def critique_chains(
    backend: Backend,
    constitution: Constitution,
    prompts: Sequence[str],
    *,
    rounds: int,
    config: GenerationConfig,
    seed: int,
) -> list[Chain]:
    """Answer each prompt, then ``rounds`` critique -> revision rounds, batched per step."""
    stopped = config.merged(stop=tuple(config.stop) + TURN_STOPS)
    rng = random.Random(seed)
    chains = [
        Chain(p, a) for p, a in zip(prompts, generate(backend, prompts, stopped), strict=True)
    ]
    for number in range(rounds):
        principles = [rng.choice(constitution.principles) for _ in chains]
        asks = [
            critique_prompt(constitution, pr, c.prompt, c.final)
            for pr, c in zip(principles, chains, strict=True)
        ]
        critiques = generate(backend, asks, stopped.merged(seed=stopped.seed + 2 * number + 1))
        asks = [
            revision_prompt(constitution, pr, c.prompt, c.final, crit)
            for pr, c, crit in zip(principles, chains, critiques, strict=True)
        ]
        revisions = generate(backend, asks, stopped.merged(seed=stopped.seed + 2 * number + 2))
        for chain, pr, crit, rev in zip(chains, principles, critiques, revisions, strict=True):
            chain.rounds.append(Round(pr.name, crit, rev))
    return chains


def save_chains(path: Path, chains: Sequence[Chain]) -> None:
    """Every chain as one JSON line (written whole, then moved into place)."""
    partial = path.with_suffix(".partial")
    with partial.open("w", encoding="utf-8") as handle:
        for chain in chains:
            handle.write(json.dumps({**asdict(chain), "final": chain.final}) + "\n")
    partial.replace(path)


def load_chains(path: Path) -> list[Chain]:
    chains = []
    for line in path.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        rounds = [Round(**r) for r in row["rounds"]]
        chains.append(Chain(row["prompt"], row["initial"], rounds))
    return chains
