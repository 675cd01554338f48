"""HELM-style text perturbations: pure functions ``(text, rng) -> text``.

Robustness perturbations change the surface of a text but not its meaning (lowercase,
contractions, typos, extra spaces); fairness perturbations change who the text is about or
how it is spoken (male pronouns to female ones, first names, a dialect). A model whose
answer flips under either is not robust, or not fair, on that instance.

Every function draws randomness only from ``rng`` and walks the text left to right, so the
output is a pure function of the text and the generator's seed. The word lists are our own
and deliberately small; they are not HELM's files.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Mapping

from harness.metrics.perturbed_outcome import Family

Perturbation = Callable[[str, random.Random], str]

# -- helpers ----------------------------------------------------------------------------------


def _match_case(source: str, replacement: str) -> str:
    """``replacement`` in the case pattern of ``source`` (UPPER, Capitalised or as given)."""
    if len(source) > 1 and source.isupper():
        return replacement.upper()
    if source[:1].isupper():
        return replacement[:1].upper() + replacement[1:]
    return replacement


def _substitute_words(text: str, mapping: Mapping[str, str]) -> str:
    """Replace whole-word (or whole-phrase) keys of ``mapping``, case-insensitively, keeping case.

    Longer keys win over their prefixes ("do not" before "do"), and a replaced span is never
    replaced again, so the result does not depend on the order of the mapping.
    """
    keys = sorted(mapping, key=len, reverse=True)
    pattern = re.compile(r"\b(" + "|".join(re.escape(k) for k in keys) + r")\b", re.IGNORECASE)
    lowered = {k.lower(): v for k, v in mapping.items()}
    return pattern.sub(lambda m: _match_case(m.group(0), lowered[m.group(0).lower()]), text)


# -- robustness -------------------------------------------------------------------------------


def lowercase(text: str, rng: random.Random) -> str:
    """Everything in lower case."""
    return text.lower()


CONTRACTIONS: dict[str, str] = {
    "are not": "aren't",
    "cannot": "can't",
    "could not": "couldn't",
    "did not": "didn't",
    "do not": "don't",
    "does not": "doesn't",
    "has not": "hasn't",
    "have not": "haven't",
    "I am": "I'm",
    "is not": "isn't",
    "it is": "it's",
    "let us": "let's",
    "should not": "shouldn't",
    "that is": "that's",
    "there is": "there's",
    "they are": "they're",
    "was not": "wasn't",
    "we are": "we're",
    "were not": "weren't",
    "what is": "what's",
    "will not": "won't",
    "would not": "wouldn't",
    "you are": "you're",
}


def contractions(text: str, rng: random.Random) -> str:
    """Contract every expandable phrase ("do not" -> "don't", "it is" -> "it's")."""
    return _substitute_words(text, CONTRACTIONS)


TYPO_RATE = 0.05
# Neighbours on a QWERTY keyboard: a typo hits an adjacent key.
KEY_NEIGHBOURS: dict[str, str] = {
    "a": "qwsz",
    "b": "vghn",
    "c": "xdfv",
    "d": "serfcx",
    "e": "wsdr",
    "f": "drtgvc",
    "g": "ftyhbv",
    "h": "gyujnb",
    "i": "ujko",
    "j": "huikmn",
    "k": "jiolm",
    "l": "kop",
    "m": "njk",
    "n": "bhjm",
    "o": "iklp",
    "p": "ol",
    "q": "wa",
    "r": "edft",
    "s": "awedxz",
    "t": "rfgy",
    "u": "yhji",
    "v": "cfgb",
    "w": "qase",
    "x": "zsdc",
    "y": "tghu",
    "z": "asx",
}


def typos(text: str, rng: random.Random) -> str:
    """Each ASCII letter, with probability 5%, becomes a neighbouring key (case kept).

    One draw per letter (and one more per typo), so the same seed gives the same typos.
    """
    out = []
    for char in text:
        neighbours = KEY_NEIGHBOURS.get(char.lower())
        if neighbours is not None and rng.random() < TYPO_RATE:
            typo = rng.choice(neighbours)
            out.append(typo.upper() if char.isupper() else typo)
        else:
            out.append(char)
    return "".join(out)


MAX_SPACES = 3


def extra_spaces(text: str, rng: random.Random) -> str:
    """Each single space becomes 1 to 3 spaces (uniformly); line breaks stay as they are."""
    return re.sub(" ", lambda _: " " * rng.randint(1, MAX_SPACES), text)


# -- fairness ---------------------------------------------------------------------------------

# One direction, male to female, as HELM's pronoun perturbation runs it: the reverse map is
# ambiguous ("her" is both "him" and "his").
PRONOUNS_MALE_TO_FEMALE: dict[str, str] = {
    "he": "she",
    "him": "her",
    "his": "her",
    "himself": "herself",
    "he's": "she's",
    "he'd": "she'd",
    "he'll": "she'll",
}


def pronoun_swap(text: str, rng: random.Random) -> str:
    """Male pronouns become female ones (he -> she, his -> her, himself -> herself)."""
    return _substitute_words(text, PRONOUNS_MALE_TO_FEMALE)


# Common Anglo first names to names frequent among Black Americans, chosen by us.
FIRST_NAMES: dict[str, str] = {
    "John": "Darnell",
    "James": "Jamal",
    "Robert": "Tyrone",
    "Michael": "Malik",
    "William": "Terrell",
    "David": "DeShawn",
    "Tom": "Kareem",
    "Mary": "Aaliyah",
    "Emily": "Latoya",
    "Sarah": "Imani",
    "Jennifer": "Keisha",
    "Elizabeth": "Ebony",
    "Anna": "Shanice",
    "Susan": "Tamika",
}


def name_swap(text: str, rng: random.Random) -> str:
    """First names from our list become their counterparts (John -> Darnell, Mary -> Aaliyah)."""
    return _substitute_words(text, FIRST_NAMES)


# A few word-level features of African American English, written by us in the style of
# HELM's SAE -> AAE mapping (spelling of dropped consonants and common lexical forms).
DIALECT: dict[str, str] = {
    "about": "bout",
    "because": "cuz",
    "brother": "brotha",
    "doing": "doin",
    "going": "goin",
    "nothing": "nothin",
    "probably": "prolly",
    "sister": "sista",
    "something": "somethin",
    "them": "dem",
    "with": "wit",
    "your": "yo",
    "you all": "y'all",
}


def dialect(text: str, rng: random.Random) -> str:
    """Standard American English words become African American English forms (about -> bout)."""
    return _substitute_words(text, DIALECT)


# -- the registry -----------------------------------------------------------------------------

PERTURBATIONS: dict[str, tuple[Family, Perturbation]] = {
    "lowercase": ("robustness", lowercase),
    "contractions": ("robustness", contractions),
    "typos": ("robustness", typos),
    "extra_spaces": ("robustness", extra_spaces),
    "pronoun_swap": ("fairness", pronoun_swap),
    "name_swap": ("fairness", name_swap),
    "dialect": ("fairness", dialect),
}


def names_in(family: Family) -> list[str]:
    """The perturbations of one family, in registry order."""
    return [name for name, (fam, _) in PERTURBATIONS.items() if fam == family]
