"""BM25 over a passage corpus (``bm25s``): the retriever of RAG tasks and ReAct's search.

The corpus is every distinct passage of a task's test split (BoolQ: 2,939 passages for
3,270 questions), so the gold passage of a question is one entry of it. Ranking is by BM25
score (bm25s' Lucene variant, English stopwords removed, no stemming); ties, including the
zero scores of passages sharing no word with the query, go to the earlier passage, so a
ranking never depends on the library's sort.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import numpy as np

from harness.errors import HarnessError


class PassageIndex:
    """Distinct passages in first-seen order, searchable by BM25."""

    def __init__(self, passages: Sequence[str]) -> None:
        import bm25s

        self.passages: list[str] = list(dict.fromkeys(passages))
        if not self.passages:
            raise HarnessError("a retrieval corpus needs at least one passage; check the data")
        self._position = {p: i for i, p in enumerate(self.passages)}
        self._bm25 = bm25s.BM25()
        self._bm25.index(self._tokens(self.passages), show_progress=False)

    @staticmethod
    def _tokens(texts: Sequence[str]) -> list[list[str]]:
        import bm25s

        tokens: list[list[str]] = bm25s.tokenize(
            list(texts), stopwords="en", return_ids=False, show_progress=False
        )
        return tokens

    def scores(self, query: str) -> np.ndarray:
        """Every passage's BM25 score for ``query``."""
        (tokens,) = self._tokens([query])
        return np.asarray(self._bm25.get_scores(tokens), dtype=np.float64)

    def search(self, query: str, k: int) -> list[int]:
        """Positions of the ``k`` best passages for ``query``, best first."""
        if k < 1:
            raise HarnessError(f"retrieval needs k >= 1, got {k}")
        order = np.argsort(-self.scores(query), kind="stable")
        return [int(i) for i in order[:k]]

    def position(self, passage: str) -> int:
        """Where ``passage`` is in the corpus (the gold passage of a question)."""
        try:
            return self._position[passage]
        except KeyError:
            raise HarnessError(
                f"passage {passage[:40]!r}... is not in the retrieval corpus; build the index "
                "from the same split"
            ) from None


@lru_cache(maxsize=4)
def passage_index(passages: tuple[str, ...]) -> PassageIndex:
    """One index per corpus, shared by the tasks of a suite that search the same passages."""
    return PassageIndex(passages)
