"""Answer extraction between generation and metrics (lm-eval's ``regex`` + ``take_first``).

Chain-of-thought answers end in "So the answer is X."; exact match should judge X, not the
reasoning. The pattern is searched with ``re.findall``, so a pattern with groups yields
tuples, of which the first non-empty group is the answer, as in lm-eval's RegexFilter.
"""

from __future__ import annotations

import re

from harness.tasks.config import AnswerFilter


def extract_answer(text: str, answer_filter: AnswerFilter) -> str:
    """The selected match of the filter's regex in ``text``, or its fallback."""
    matches = re.findall(answer_filter.regex, text)
    if not matches:
        return answer_filter.fallback
    try:
        match = matches[answer_filter.select]
    except IndexError:
        return answer_filter.fallback
    if isinstance(match, tuple):
        match = next((m for m in match if m), answer_filter.fallback)
    return str(match).strip()
