"""ReAct's tools over a passage corpus: search, lookup, calculate (finish ends the loop).

As in the ReAct paper's Wikipedia API, ``search`` opens one document and ``lookup`` walks
the sentences of the opened document that contain a term, one per call; here the documents
are the corpus's passages ranked by BM25 rather than Wikipedia pages by title, and
``calculate`` (not in the paper) evaluates one Python expression in the sandbox.
"""

from __future__ import annotations

import ast
import re

from harness.sandbox import SandboxLimits, run_python
from harness.tasks.retrieval import PassageIndex

TOOLS = ("search", "lookup", "calculate", "finish")
SEARCH_SENTENCES = 5  # the paper's search shows a page's first five sentences
CALCULATE_LIMITS = SandboxLimits(wall_s=5.0, cpu_s=2)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def sentences(passage: str) -> list[str]:
    """A passage split after each ., ! or ? followed by space."""
    return [s for s in _SENTENCE_END.split(passage.strip()) if s]


class ReactTools:
    """One trajectory's tools: ``lookup`` reads the passage the last ``search`` opened."""

    def __init__(self, corpus: PassageIndex) -> None:
        self.corpus = corpus
        self._opened: list[str] = []
        self._lookup: tuple[str, int] = ("", 0)  # the term looked up last and its next match

    def search(self, query: str) -> str:
        if not query.strip():
            return "search needs a query, e.g. search[Eiffel Tower height]."
        best = self.corpus.search(query, 1)[0]
        if self.corpus.scores(query)[best] <= 0:
            return f"No passage matches {query!r}; try other words."
        self._opened = sentences(self.corpus.passages[best])
        self._lookup = ("", 0)
        return " ".join(self._opened[:SEARCH_SENTENCES])

    def lookup(self, term: str) -> str:
        if not self._opened:
            return "No passage is open; search first."
        wanted = term.strip().lower()
        matches = [s for s in self._opened if wanted and wanted in s.lower()]
        last, position = self._lookup
        position = position if last == wanted else 0
        if position >= len(matches):
            return "No more results."
        self._lookup = (wanted, position + 1)
        return f"(Result {position + 1} / {len(matches)}) {matches[position]}"

    def calculate(self, expression: str) -> str:
        try:
            ast.parse(expression, mode="eval")
        except SyntaxError:
            return f"calculate takes one Python expression, e.g. calculate[324 - 93]; got {expression!r}."
        program = (
            "import math\n"
            f"print(eval(compile({expression!r}, '<expression>', 'eval'), {{'math': math}}))\n"
        )
        result = run_python(program, CALCULATE_LIMITS)
        if not result.ok:
            return f"Error: {result.error}"
        return result.stdout.strip() or "(no value)"
