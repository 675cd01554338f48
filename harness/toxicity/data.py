"""Training data for the toxicity classifier: Davidson et al.'s tweets plus ToxiGen's seed sentences.

Labels keep Davidson's three classes (0 hate, 1 offensive, 2 neither); ToxiGen's hateful
seed sentences are ``hate`` and its benign ones ``neither``. Texts are normalised (HTML
entities, @mentions, links, retweet markers), deduplicated, and split into train and
held-out by a seeded hash of the text, so a sentence never lands on both sides and the
split does not move when examples are added or reordered.
"""

from __future__ import annotations

import csv
import hashlib
import html
import random
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from harness.data.root import resolve_data_root
from harness.errors import HarnessError
from harness.hashing import is_heldout

HATE, OFFENSIVE, NEITHER = 0, 1, 2
LABEL_NAMES = ("hate", "offensive", "neither")

DAVIDSON_FILE = Path("davidson_hate_offensive") / "labeled_data.csv"
TOXIGEN_SEEDS = Path("toxigen") / "demonstrations"

_MENTION = re.compile(r"@\w+:?")
_LINK = re.compile(r"https?://\S+")
_RETWEET = re.compile(r"\bRT\b:?")
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Example:
    """One labelled text; ``source`` says where it came from (davidson, toxigen)."""

    text: str
    label: int
    source: str


@dataclass(frozen=True)
class Dataset:
    """The deduplicated examples and the sha256 of the files they were read from."""

    examples: list[Example]
    data_hash: str
    dropped_conflicts: int


def normalise(text: str) -> str:
    """The form the classifier sees, at training and at scoring time.

    Twitter debris (``@user``, links, ``RT``, ``&amp;``) says nothing about toxicity and
    would otherwise be a shortcut: it only occurs in the tweets, not in ToxiGen or in model
    output.
    """
    text = html.unescape(text)
    text = _LINK.sub(" ", text)
    text = _MENTION.sub(" ", text)
    text = _RETWEET.sub(" ", text)
    return _SPACE.sub(" ", text).strip(' :"')


def load_dataset(data_dir: str | Path | None = None) -> Dataset:
    """All examples from the data root (see ``harness.data.root``), deduplicated."""
    root = resolve_data_root(data_dir)
    if root is None or not (root / DAVIDSON_FILE).is_file():
        where = "no data root" if root is None else str(root / DAVIDSON_FILE)
        raise HarnessError(
            f"the toxicity classifier's training data is missing ({where}); "
            "pass --data-dir or set $HARNESS_DATA_DIR to a folder with davidson_hate_offensive/"
        )
    digest = hashlib.sha256()
    examples = _davidson(root / DAVIDSON_FILE, digest) + _toxigen_seeds(root, digest)
    unique, conflicts = deduplicate(examples)
    return Dataset(examples=unique, data_hash=digest.hexdigest(), dropped_conflicts=conflicts)


def _davidson(path: Path, digest: hashlib._Hash) -> list[Example]:
    raw = path.read_bytes()
    digest.update(str(DAVIDSON_FILE).encode() + b"\0" + raw)
    rows = csv.DictReader(raw.decode("utf-8").splitlines(keepends=True))
    return [Example(normalise(row["tweet"]), int(row["class"]), "davidson") for row in rows]


def _toxigen_seeds(root: Path, digest: hashlib._Hash) -> list[Example]:
    folder = root / TOXIGEN_SEEDS
    if not folder.is_dir():
        raise HarnessError(
            f"{folder} is missing; the toxicity classifier trains on ToxiGen's seed sentences too"
        )
    examples = []
    for path in sorted(folder.glob("*/*.txt")):
        kind = path.name.split("_", 1)[0]
        if kind not in ("hate", "neutral"):
            continue
        raw = path.read_bytes()
        digest.update(str(path.relative_to(root)).encode() + b"\0" + raw)
        label = HATE if kind == "hate" else NEITHER
        for line in raw.decode("utf-8").splitlines():
            text = normalise(line.lstrip("- "))
            if text:
                examples.append(Example(text, label, "toxigen"))
    return examples


def deduplicate(examples: Sequence[Example]) -> tuple[list[Example], int]:
    """First occurrence of each text; texts seen with different labels are dropped.

    Returns the kept examples and how many distinct texts were dropped as conflicting.
    """
    labels: dict[str, set[int]] = {}
    first: dict[str, Example] = {}
    for example in examples:
        if not example.text:
            continue
        labels.setdefault(example.text, set()).add(example.label)
        first.setdefault(example.text, example)
    kept = [ex for text, ex in first.items() if len(labels[text]) == 1]
    return kept, len(first) - len(kept)


def split(
    examples: Sequence[Example], percent: int, seed: int
) -> tuple[list[Example], list[Example]]:
    """(train, held-out) by ``is_heldout``; order within each side is the input order."""
    train: list[Example] = []
    heldout: list[Example] = []
    for example in examples:
        (heldout if is_heldout(example.text, percent, seed) else train).append(example)
    return train, heldout


def training_set(
    examples: Sequence[Example], cap: int, toxigen_repeats: int, seed: int
) -> list[Example]:
    """The examples a build trains on, in a seeded shuffled order.

    Davidson tweets: at most ``cap`` per label, a seeded sample (Davidson is 77% offensive;
    balancing keeps hate and neither from being drowned out and training to minutes).
    ToxiGen seed sentences: all of them, each ``toxigen_repeats`` times.
    """
    rng = random.Random(seed)
    tweets = [ex for ex in examples if ex.source != "toxigen"]
    chosen: list[Example] = []
    for label in sorted({ex.label for ex in tweets}):
        members = [ex for ex in tweets if ex.label == label]
        chosen.extend(members if len(members) <= cap else rng.sample(members, cap))
    chosen.extend(ex for ex in examples if ex.source == "toxigen" for _ in range(toxigen_repeats))
    rng.shuffle(chosen)
    return chosen


def examples_hash(examples: Sequence[Example]) -> str:
    """sha256 of the examples themselves, for training sets passed in code (tests)."""
    digest = hashlib.sha256()
    for ex in examples:
        digest.update(f"{ex.label}\0{ex.source}\0{ex.text}\n".encode())
    return digest.hexdigest()
