"""Perturbed copies of an item: the perturbed document, its prompt, and its outcome.

A copy is seeded by the perturbation config's seed, the item's document hash and the
perturbation's name, so an item gets the same perturbed text whichever subset (``--limit``)
it is run in, and two perturbations of one item draw independent randomness.
"""

from __future__ import annotations

import dataclasses
import hashlib
import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from harness.backends.requests import GenerationRequest, LoglikelihoodRequest, RollingRequest
from harness.errors import HarnessError
from harness.helm.config import PerturbationConfig
from harness.helm.perturbations import PERTURBATIONS, Family
from harness.metrics.outcome import ItemOutcome

if TYPE_CHECKING:
    from harness.tasks.config import TaskConfig
    from harness.tasks.task import Task, TaskItem

Request = LoglikelihoodRequest | RollingRequest | GenerationRequest


@dataclass(frozen=True)
class PromptVariant:
    """One perturbed copy of an item: which perturbation, the changed fields, the prompt."""

    family: Family
    perturbation: str
    seed: int
    fields: tuple[tuple[str, str], ...]  # (doc field, perturbed text)
    prompt: str
    # False when the perturbation left the prompt as it was (no pronoun to swap): such a
    # copy sends no requests and reuses the original's results.
    changed: bool = True


def variant_seed(seed: int, doc_hash: str, perturbation: str) -> int:
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


def plan_variants(
    config: PerturbationConfig, doc: Mapping[str, Any], doc_hash: str, *, task: str
) -> list[tuple[Family, str, int, dict[str, Any]]]:
    """(family, perturbation, seed, perturbed doc) for each copy the config asks for."""
    plans = []
    for family, name in config.planned():
        seed = variant_seed(config.seed, doc_hash, name)
        plans.append((family, name, seed, perturb_doc(doc, config.fields, name, seed, task=task)))
    return plans


def retarget(request: Request, prompt: str) -> Request:
    """The same request with the perturbed prompt in place of the original."""
    if isinstance(request, LoglikelihoodRequest):
        return dataclasses.replace(request, context=prompt)
    if isinstance(request, GenerationRequest):
        return dataclasses.replace(request, prompt=prompt)
    return dataclasses.replace(request, text=prompt)


@dataclass(frozen=True)
class VariantOutcome:
    """What a perturbed copy produced, beside the perturbation that made it."""

    family: Family
    perturbation: str
    outcome: ItemOutcome


@dataclass(frozen=True)
class PerturbedOutcome(ItemOutcome):
    """An item's own outcome plus the outcomes of its perturbed copies (worst-case metrics)."""

    variants: tuple[VariantOutcome, ...] = field(default=())

    def family(self, family: Family) -> list[VariantOutcome]:
        """The copies of one family."""
        return [v for v in self.variants if v.family == family]


def with_variants(base: ItemOutcome, variants: Sequence[VariantOutcome]) -> PerturbedOutcome:
    """``base`` carrying its copies' outcomes."""
    values = {f.name: getattr(base, f.name) for f in dataclasses.fields(ItemOutcome)}
    return PerturbedOutcome(**values, variants=tuple(variants))


def split_results(n_variants: int, results: Sequence[Any]) -> list[list[Any]]:
    """The results of the original and of each copy (each copy repeats the original's requests)."""
    if len(results) % (n_variants + 1):
        raise HarnessError(
            f"{len(results)} results do not split into {n_variants + 1} equal parts; "
            "every perturbed copy must send the original's requests"
        )
    size = len(results) // (n_variants + 1)
    return [list(results[i * size : (i + 1) * size]) for i in range(n_variants + 1)]


def item_parts(variants: Sequence[PromptVariant], results: Sequence[Any]) -> list[list[Any]]:
    """The results of the original, then of each copy (an unchanged copy gets the original's)."""
    sent = split_results(sum(v.changed for v in variants), results)
    parts, position = [sent[0]], 1
    for variant in variants:
        if variant.changed:
            parts.append(sent[position])
            position += 1
        else:
            parts.append(sent[0])
    return parts


def build_variants(
    config: TaskConfig,
    doc: Mapping[str, Any],
    prefix: str,
    formatter: Callable[[str], str],
    prompt: str,
) -> tuple[PromptVariant, ...]:
    """The perturbed copies of one item: ``prefix`` (description and few-shot exemplars,
    untouched) followed by the task's ``doc_to_text`` on each perturbed document; ``prompt``
    is the original's, to mark copies the perturbation did not change."""
    from harness.tasks.task import content_hash
    from harness.tasks.templates import render

    spec = config.perturbations
    if spec is None:
        return ()
    where = f"task '{config.task}': doc_to_text (perturbed)"
    variants = []
    for family, name, seed, perturbed in plan_variants(
        spec, doc, content_hash(doc), task=config.task
    ):
        copy = formatter(prefix + render(config.doc_to_text, perturbed, where=where))
        variants.append(
            PromptVariant(
                family=family,
                perturbation=name,
                seed=seed,
                fields=tuple((f, perturbed[f]) for f in spec.fields),
                prompt=copy,
                changed=copy != prompt,
            )
        )
    return tuple(variants)


def perturbed_outcome(task: Task, item: TaskItem, results: Sequence[Any]) -> PerturbedOutcome:
    """The item's outcome with each copy's outcome judged the same way on its own results."""
    parts = item_parts(item.variants, results)
    plain = dataclasses.replace(item, variants=())
    base = task.outcome(plain, parts[0])
    copies = [
        VariantOutcome(
            family=variant.family,
            perturbation=variant.perturbation,
            outcome=task.outcome(dataclasses.replace(plain, prompt=variant.prompt), part),
        )
        for variant, part in zip(item.variants, parts[1:], strict=True)
    ]
    return with_variants(base, copies)
