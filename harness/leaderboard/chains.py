"""Critique -> revision chains of the Constitutional AI supervised stage, for the dashboard.

``harness train constitutional`` keeps the first few chains of its supervised stage in the
``constitutional-sl`` variant's details (``details["chains"]``; every chain is in its
``chains.jsonl``): the red-team prompt, the model's first answer, and for each round the
principle drawn, the critique and the revision, then the final answer it was fine-tuned on.
The Chains page shows them through :func:`critique_chains`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from harness.registry import Variant

SUPERVISED_KIND = "constitutional-sl"


@dataclass(frozen=True)
class ChainRound:
    principle: str
    critique: str
    revision: str


@dataclass(frozen=True)
class CritiqueChain:
    """One red-team prompt, the first answer, each round, and the answer trained on."""

    prompt: str
    answer: str
    rounds: tuple[ChainRound, ...]
    final: str


@dataclass(frozen=True)
class StageChains:
    """A supervised stage's stored chains, with the variants trained from it."""

    variant: str
    constitution: str
    chains: tuple[CritiqueChain, ...]
    examples: int | None  # how many chains it was fine-tuned on (all of them, not only these)
    children: tuple[str, ...]


def critique_chains(variants: Iterable[Variant]) -> list[StageChains]:
    """Every supervised constitutional stage's stored chains, newest stage first; entries that
    are not chains (a hand-edited registry) are skipped."""
    known = list(variants)
    stages = []
    for variant in reversed(known):
        if variant.kind != SUPERVISED_KIND:
            continue
        stored = variant.details.get("chains")
        chains = [c for c in (_chain(x) for x in stored or ()) if c is not None]
        examples = variant.details.get("examples")
        stages.append(
            StageChains(
                variant=variant.name,
                constitution=str(variant.details.get("constitution", "?")),
                chains=tuple(chains),
                examples=examples if isinstance(examples, int) else None,
                children=tuple(v.name for v in known if v.parent_id == variant.variant_id),
            )
        )
    return stages


def _chain(raw: Any) -> CritiqueChain | None:
    if not isinstance(raw, Mapping):
        return None
    rounds = tuple(
        ChainRound(
            str(r.get("principle", "")), str(r.get("critique", "")), str(r.get("revision", ""))
        )
        for r in raw.get("rounds") or ()
        if isinstance(r, Mapping)
    )
    answer = str(raw.get("initial", ""))
    final = raw.get("final")
    if final is None:  # as Chain.final: the last non-empty revision, else the first answer
        final = next((r.revision for r in reversed(rounds) if r.revision.strip()), answer)
    return CritiqueChain(str(raw.get("prompt", "")), answer, rounds, str(final))
