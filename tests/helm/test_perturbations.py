"""Perturbations: exact outputs for a fixed seed, and the seeding of an item's copies."""

from __future__ import annotations

import random

import pytest

from harness.tasks.perturbations import (
    PERTURBATIONS,
    contractions,
    dialect,
    extra_spaces,
    lowercase,
    name_swap,
    names_in,
    pronoun_swap,
    typos,
)
from harness.tasks.perturbed import perturb_doc, perturbation_seed

TEXT = "He said his friend John cannot come because it is late. Mary is not with them."

# Pinned byte for byte: a change to a word list or to how randomness is drawn shows up here.
EXPECTED_SEED_42 = {
    "lowercase": "he said his friend john cannot come because it is late. mary is not with them.",
    "contractions": "He said his friend John can't come because it's late. Mary isn't with them.",
    "typos": "Hd said hia frjend John cannot come necause it iw late. Mary is not with them.",
    "extra_spaces": (
        "He   said his friend   John  cannot come because it   is late.   Mary   is   not with"
        "   them."
    ),
    "pronoun_swap": "She said her friend John cannot come because it is late. Mary is not with them.",
    "name_swap": (
        "He said his friend Darnell cannot come because it is late. Aaliyah is not with them."
    ),
    "dialect": "He said his friend John cannot come cuz it is late. Mary is not wit dem.",
}


@pytest.mark.parametrize("name", sorted(EXPECTED_SEED_42))
def test_each_perturbation_gives_the_pinned_text_for_seed_42(name: str) -> None:
    _, perturb = PERTURBATIONS[name]
    assert perturb(TEXT, random.Random(42)) == EXPECTED_SEED_42[name]


def test_the_same_seed_gives_the_same_text_and_another_seed_another() -> None:
    assert typos(TEXT, random.Random(7)) == typos(TEXT, random.Random(7))
    assert typos(TEXT, random.Random(7)) != typos(TEXT, random.Random(8))
    assert extra_spaces(TEXT, random.Random(7)) != extra_spaces(TEXT, random.Random(8))


def test_families_list_the_issue_perturbations() -> None:
    assert names_in("robustness") == ["lowercase", "contractions", "typos", "extra_spaces"]
    assert names_in("fairness") == ["pronoun_swap", "name_swap", "dialect"]


def test_word_substitutions_keep_case_and_whole_words() -> None:
    rng = random.Random(0)
    assert pronoun_swap("HE met Hermione; he's his own man, himself.", rng) == (
        "SHE met Hermione; she's her own man, herself."
    )
    assert name_swap("Johnny and John", rng) == "Johnny and Darnell"
    assert dialect("Your brother is WITH you all", rng) == "Yo brotha is WIT y'all"
    assert contractions("I am sure it is. Do not go.", rng) == "I'm sure it's. Don't go."


def test_typos_and_spaces_change_nothing_but_letters_and_spaces() -> None:
    rng = random.Random(3)
    noisy = typos("ab1 2,c.\n" * 20, rng)
    assert len(noisy) == len("ab1 2,c.\n" * 20)
    assert [c for c in noisy if not c.isalpha()] == [
        c for c in "ab1 2,c.\n" * 20 if not c.isalpha()
    ]
    spaced = extra_spaces("a b\nc d", random.Random(3))
    assert spaced.split() == ["a", "b", "c", "d"] and spaced.count("\n") == 1
    assert lowercase("ÀB", rng) == "àb"


def test_a_copy_is_seeded_by_the_document_not_by_its_position() -> None:
    doc = {"question": TEXT, "answer": "A"}
    seed = perturbation_seed(1234, "doc-hash", "typos")
    assert seed == 5602506052221965022  # sha256 of "1234:doc-hash:typos", first 8 bytes
    assert perturbation_seed(1234, "doc-hash", "typos") != perturbation_seed(1234, "other", "typos")
    assert perturbation_seed(1234, "doc-hash", "typos") != perturbation_seed(
        1234, "doc-hash", "dialect"
    )
    first = perturb_doc(doc, ["question"], "typos", seed, task="t")
    assert first == perturb_doc(doc, ["question"], "typos", seed, task="t")
    assert first["answer"] == "A"  # only the listed fields change
