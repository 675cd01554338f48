"""Perturbed copies of an item: the perturbed document, its prompt, and its outcome.

A copy is seeded by the perturbation config's seed, the item's document hash and the
perturbation's name, so an item gets the same perturbed text whichever subset (``--limit``)
it is run in, and two perturbations of one item draw independent randomness.

The copy's prompt comes from the task's own prompt builder (passed in as ``build_prompt``),
so an original and its copies can never be assembled two different ways.
"""

from __future__ import annotations

import dataclasses
import hashlib
import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from harness.backends.requests import GenerationRequest, LoglikelihoodRequest, RollingRequest
from harness.errors import HarnessError
from harness.metrics.outcome import ItemOutcome
from harness.metrics.perturbed_outcome import CopyOutcome, Family, PerturbedOutcome, with_copies
from harness.tasks.perturbation_config import PerturbationConfig
from harness.tasks.perturbations import PERTURBATIONS

Request = LoglikelihoodRequest | RollingRequest | GenerationRequest
R = TypeVar("R")


@dataclass(frozen=True)
class PerturbedPrompt:
    """One perturbed copy of an item: which perturbation, the changed fields, the prompt."""

    family: Family
    perturbation: str
    seed: int
    fields: tuple[tuple[str, str], ...]  # (doc field, perturbed text)
    prompt: str
    # False when the perturbation left the prompt as it was (no pronoun to swap): such a
    # copy sends no requests and reuses the original's results.
    changed: bool = True


def perturbation_seed(seed: int, doc_hash: str, perturbation: str) -> int:
    """The generator seed of one perturbation of one document (independent of the subset)."""
    digest = hashlib.sha256(f"{seed}:{doc_hash}:{perturbation}".encode()).digest()
    return int.from_bytes(digest[:8], "big")


def perturb_doc(
    doc: Mapping[str, Any], fields: Sequence[str], perturbation: str, seed: int, *, task: str
) -> dict[str, Any]:
    """``doc`` with ``fields`` passed through ``perturbation``, in order, with one generator."""
    _, function = PERTURBATIONS[perturbation]
    rng = random.Random(seed)
    out = dict(doc)
    for name in fields:
        value = doc.get(name)
        if not isinstance(value, str):
            raise HarnessError(
                f"task '{task}': perturbations.fields names '{name}', which is "
                f"{'missing from' if name not in doc else 'not text in'} the document; "
                f"list text fields only (the doc has: {', '.join(sorted(doc))})"
            )
        out[name] = function(value, rng)
    return out


def plan_perturbations(
    config: PerturbationConfig, doc: Mapping[str, Any], doc_hash: str, *, task: str
) -> list[tuple[Family, str, int, dict[str, Any]]]:
    """(family, perturbation, seed, perturbed doc) for each copy the config asks for."""
    plans = []
    for family, name in config.planned():
        seed = perturbation_seed(config.seed, doc_hash, name)
        plans.append((family, name, seed, perturb_doc(doc, config.fields, name, seed, task=task)))
    return plans


def perturbed_prompts(
    config: PerturbationConfig,
    doc: Mapping[str, Any],
    doc_hash: str,
    prompt: str,
    build_prompt: Callable[[dict[str, Any]], str],
    *,
    task: str,
) -> tuple[PerturbedPrompt, ...]:
    """The perturbed copies of one item, each prompt built by ``build_prompt`` from its
    perturbed document; ``prompt`` is the original's, to mark copies the perturbation did
    not change."""
    copies = []
    for family, name, seed, perturbed in plan_perturbations(config, doc, doc_hash, task=task):
        copy = build_prompt(perturbed)
        copies.append(
            PerturbedPrompt(
                family=family,
                perturbation=name,
                seed=seed,
                fields=tuple((f, perturbed[f]) for f in config.fields),
                prompt=copy,
                changed=copy != prompt,
            )
        )
    return tuple(copies)


def retarget(request: Request, prompt: str) -> Request:
    """The same request with the perturbed prompt in place of the original."""
    if isinstance(request, LoglikelihoodRequest):
        return dataclasses.replace(request, context=prompt)
    if isinstance(request, GenerationRequest):
        return dataclasses.replace(request, prompt=prompt)
    return dataclasses.replace(request, text=prompt)


def split_results(n_copies: int, results: Sequence[R]) -> list[list[R]]:
    """The results of the original and of each copy (each copy repeats the original's requests)."""
    if len(results) % (n_copies + 1):
        raise HarnessError(
            f"{len(results)} results do not split into {n_copies + 1} equal parts; "
            "every perturbed copy must send the original's requests"
        )
    size = len(results) // (n_copies + 1)
    return [list(results[i * size : (i + 1) * size]) for i in range(n_copies + 1)]


def results_by_copy(copies: Sequence[PerturbedPrompt], results: Sequence[R]) -> list[list[R]]:
    """The results of the original, then of each copy (an unchanged copy gets the original's)."""
    sent = split_results(sum(c.changed for c in copies), results)
    parts, position = [sent[0]], 1
    for copy in copies:
        if copy.changed:
            parts.append(sent[position])
            position += 1
        else:
            parts.append(sent[0])
    return parts


def perturbed_outcome(
    prompt: str,
    copies: Sequence[PerturbedPrompt],
    results: Sequence[R],
    judge: Callable[[str, Sequence[R]], ItemOutcome],
) -> PerturbedOutcome:
    """The item's outcome with each copy's outcome judged the same way on its own results.

    ``judge(prompt, results)`` is the task's judgement of the item asked with ``prompt``.
    """
    parts = results_by_copy(copies, results)
    base = judge(prompt, parts[0])
    outcomes = [
        CopyOutcome(family=c.family, perturbation=c.perturbation, outcome=judge(c.prompt, part))
        for c, part in zip(copies, parts[1:], strict=True)
    ]
    return with_copies(base, outcomes)
