"""Plan forward passes for scoring: share rows between requests, sort by length, batch.

A scoring item predicts its target tokens at the last positions of its input. In a causal
model the hidden state at a position depends only on the tokens up to it, so an item whose
input is a prefix of another item's input (or equal to it) is scored from that item's row
for free. That covers lm-eval's one-token-continuation cache (" A"/" B"/" C"/" D" after the
same prompt share one row) and also any item nested in a longer one.

Rows are run longest first, so the first batch shows the peak memory at once and padding
within a batch stays small; a batch holds at most a number of rows and a number of padded
positions (a token budget), so short rows go many to a batch and long ones few. Results
are written back by item index, which restores order.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class ScoringItem:
    """Score ``targets`` given ``input_ids``; target i is predicted at position
    ``len(input_ids) - len(targets) + i`` (lm-eval's ``inp`` and ``cont_toks``)."""

    input_ids: tuple[int, ...]
    targets: tuple[int, ...]


def scoring_item(context: list[int], continuation: list[int], max_length: int) -> ScoringItem:
    """The model input for a (context, continuation) pair, truncated from the left to ``max_length``."""
    if len(continuation) > max_length:
        raise ValueError(
            f"a continuation of {len(continuation)} tokens does not fit in max_length={max_length}"
        )
    whole = context + continuation
    return ScoringItem(tuple(whole[-(max_length + 1) : -1]), tuple(continuation))


@dataclass
class ScoringRow:
    """One row of a forward pass and the items scored from it (indices into the item list)."""

    input_ids: tuple[int, ...]
    members: list[int] = field(default_factory=list)


def plan_rows(items: list[ScoringItem]) -> list[ScoringRow]:
    """Rows covering every item with a non-empty target, longest first; items share a row
    when one's input is a prefix of the other's.

    In lexicographic order every extension of a sequence follows it directly, so an input
    is a prefix of some other input exactly when it is a prefix of its successor; walking
    backwards, each input joins the row its successor joined.
    """
    order = sorted(
        (i for i, item in enumerate(items) if item.targets), key=lambda i: items[i].input_ids
    )
    rows: list[ScoringRow] = []
    host: ScoringRow | None = None
    successor: tuple[int, ...] = ()
    for index in reversed(order):
        current = items[index].input_ids
        if host is None or successor[: len(current)] != current:
            host = ScoringRow(current)
            rows.append(host)
        host.members.append(index)
        successor = current
    rows.sort(key=lambda row: (-len(row.input_ids), row.input_ids))
    for row in rows:
        row.members.sort()
    return rows


def rows_that_fit(
    longest: int, available: int, *, max_rows: int | None, max_tokens: int | None
) -> int:
    """How many of ``available`` length-sorted rows go into the next batch: at most
    ``max_rows``, and at most ``max_tokens`` positions once padded to the ``longest``
    (the first row); always at least one, however long."""
    count = available if max_rows is None else min(max_rows, available)
    if max_tokens is not None:
        count = min(count, max_tokens // max(longest, 1))
    return max(1, count)


def batched(
    rows: list[ScoringRow], batch_size: int | None, max_tokens: int | None = None
) -> list[list[ScoringRow]]:
    """Consecutive batches of at most ``batch_size`` rows and ``max_tokens`` padded positions
    (rows are already sorted longest first)."""
    if batch_size is not None and batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, got {batch_size}")
    batches = []
    start = 0
    while start < len(rows):
        count = rows_that_fit(
            len(rows[start].input_ids),
            len(rows) - start,
            max_rows=batch_size,
            max_tokens=max_tokens,
        )
        batches.append(rows[start : start + count])
        start += count
    return batches
