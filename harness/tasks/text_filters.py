"""Jinja filters for prompts that lm-eval builds with Python functions.

Each is a faithful port so our prompts match lm-eval's to the byte:
``wikitext_detokenize`` (lm-eval's ``wikitext_detokenizer``), ``general_detokenize``
(``lm_eval.utils.general_detokenize``, used by WSC), and ``regex_search``, which pulls an
answer out of a worked solution (BBH's answer-only exemplars from its CoT prompts).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any


def wikitext_detokenize(string: str) -> str:
    """Undo WikiText's tokenisation (``@-@``, spaced punctuation), as lm-eval does."""
    string = string.replace("s '", "s'")
    string = re.sub(r"/' [0-9]/", r"/'[0-9]/", string)
    string = string.replace(" @-@ ", "-")
    string = string.replace(" @,@ ", ",")
    string = string.replace(" @.@ ", ".")
    for mark in (":", ";", ".", "!", "?", ","):
        string = string.replace(f" {mark} ", f"{mark} ")
    string = re.sub(r"\(\s*([^\)]*?)\s*\)", r"(\1)", string)
    string = re.sub(r"\[\s*([^\]]*?)\s*\]", r"[\1]", string)
    string = re.sub(r"{\s*([^}]*?)\s*}", r"{\1}", string)
    string = re.sub(r"\"\s*([^\"]*?)\s*\"", r'"\1"', string)
    string = re.sub(r"'\s*([^']*?)\s*'", r"'\1'", string)
    string = string.replace("= = = =", "====")
    string = string.replace("= = =", "===")
    string = string.replace("= =", "==")
    string = string.replace(" " + chr(176) + " ", chr(176))
    string = string.replace(" \n", "\n")
    string = string.replace("\n ", "\n")
    string = string.replace(" N ", " 1 ")
    string = string.replace(" 's", "'s")
    return string


def general_detokenize(string: str) -> str:
    """Re-attach contractions, brackets, quotes and punctuation (lm-eval's helper)."""
    string = string.replace(" n't", "n't")
    string = string.replace(" )", ")")
    string = string.replace("( ", "(")
    string = string.replace('" ', '"')
    string = string.replace(' "', '"')
    return re.sub(r" (['.,])", r"\1", string)


def regex_search(string: str, pattern: str, group: int = 0, default: str = "") -> str:
    """The first match of ``pattern`` (its ``group``), or ``default`` when nothing matches."""
    match = re.search(pattern, string, flags=re.DOTALL)
    return match.group(group) if match else default


FILTERS: dict[str, Callable[..., Any]] = {
    "wikitext_detokenize": wikitext_detokenize,
    "general_detokenize": general_detokenize,
    "regex_search": regex_search,
}
