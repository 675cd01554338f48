"""A few dozen obviously toxic and obviously benign sentences, and a training config small
enough that a build on them takes seconds (frozen encoder, linear head only)."""

from __future__ import annotations

from harness.toxicity.config import ClassifierConfig
from harness.toxicity.data import HATE, NEITHER, OFFENSIVE, Dataset, Example, examples_hash

INSULTS = [
    "stupid idiot",
    "worthless moron",
    "disgusting pig",
    "pathetic loser",
    "filthy rat",
    "brainless fool",
    "ugly freak",
    "useless scum",
    "dumb clown",
    "vile creep",
    "lying snake",
    "miserable failure",
]
PLEASANT = [
    "lovely sunny day",
    "beautiful garden",
    "wonderful song",
    "delightful book",
    "charming little village",
    "peaceful walk by the river",
    "tasty home cooked dinner",
    "kind and generous neighbour",
    "fun afternoon with friends",
    "bright and cheerful morning",
    "cozy evening by the fire",
    "great cup of coffee",
]


def separable_examples() -> list[Example]:
    """48 examples: 24 insults (hate or offensive), 24 pleasant remarks (neither)."""
    toxic = [
        Example(f"you are a {insult}, shut up", OFFENSIVE, "davidson") for insult in INSULTS
    ] + [Example(f"get lost you {insult}, i hate you", HATE, "toxigen") for insult in INSULTS]
    benign = [Example(f"what a {thing}", NEITHER, "davidson") for thing in PLEASANT] + [
        Example(f"thank you for the {thing}", NEITHER, "toxigen") for thing in PLEASANT
    ]
    return toxic + benign


def separable_dataset() -> Dataset:
    examples = separable_examples()
    return Dataset(examples=examples, data_hash=examples_hash(examples), dropped_conflicts=0)


TINY_CONFIG = ClassifierConfig(
    max_length=16,
    per_label_cap=100,
    toxigen_repeats=1,
    heldout_percent=30,
    epochs=6,
    batch_size=8,
    trainable_layers=0,
    head_learning_rate=0.05,
)
