"""Gather the scores of finished items into results of whole requests, as batches finish.

A loglikelihood request is one scoring item; a rolling request is one item per window of
its text. Batches finish items in length order, not request order, so a request is answered
when its last item is in; a rolling total is then summed in window order, so it is the same
float whatever order the windows finished in.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from harness.backends.collate import ScoringItem
from harness.backends.requests import (
    LoglikelihoodRequest,
    LoglikelihoodResult,
    RollingRequest,
    RollingResult,
    ScoringRequest,
    ScoringResult,
)


class ItemScore(NamedTuple):
    """The summed log-probability of an item's targets and whether each was the argmax."""

    logprob: float
    is_greedy: bool


@dataclass
class _Open:
    request: ScoringRequest
    scores: list[ItemScore | None]
    n_tokens: int  # tokens scored over all items (a rolling text's length)
    left: int


class ScoreTally:
    """The items of some requests (``items``, to be scored) and the requests they answer."""

    def __init__(self) -> None:
        self.items: list[ScoringItem] = []
        self._owner: list[tuple[int, int]] = []  # per item: (request index, part number)
        self._open: dict[int, _Open] = {}
        self._empty: list[tuple[int, ScoringResult]] = []
        self.tokens = 0  # input positions of all items so far: the work they hold

    def add(self, index: int, request: ScoringRequest, items: list[ScoringItem]) -> None:
        """Request ``index`` is answered by ``items`` (none: a text without tokens)."""
        if not items:
            assert isinstance(request, RollingRequest), "a loglikelihood request has an item"
            self._empty.append((index, _rolled(request, [], 0)))
            return
        n_tokens = sum(len(item.targets) for item in items)
        self._open[index] = _Open(request, [None] * len(items), n_tokens, len(items))
        for part, item in enumerate(items):
            self.items.append(item)
            self._owner.append((index, part))
            self.tokens += len(item.input_ids)

    def answered_without_items(self) -> list[tuple[int, ScoringResult]]:
        """Requests that need no forward pass (empty texts: log-probability 0)."""
        return self._empty

    def record(self, done: list[tuple[int, ItemScore]]) -> list[tuple[int, ScoringResult]]:
        """Note finished items (index into ``items``, score); the requests now complete."""
        complete = []
        for item_index, score in done:
            index, part = self._owner[item_index]
            pending = self._open[index]
            pending.scores[part] = score
            pending.left -= 1
            if pending.left == 0:
                del self._open[index]
                scores = [s for s in pending.scores if s is not None]
                complete.append((index, _result(pending.request, scores, pending.n_tokens)))
        return complete


def _result(request: ScoringRequest, scores: list[ItemScore], n_tokens: int) -> ScoringResult:
    if isinstance(request, LoglikelihoodRequest):
        (score,) = scores
        return LoglikelihoodResult(score.logprob, score.is_greedy, n_tokens)
    return _rolled(request, scores, n_tokens)


def _rolled(request: RollingRequest, scores: list[ItemScore], n_tokens: int) -> RollingResult:
    total = 0.0
    for score in scores:  # window order, whatever order they finished in
        total += score.logprob
    return RollingResult(total, n_tokens, len(request.text.encode("utf-8")))
