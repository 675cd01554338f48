"""Row planning: which requests share a forward row, in which order rows run."""

import pytest

from harness.backends.collate import ScoringItem, batched, plan_rows, scoring_item


def item(inputs: str, targets: str = "x") -> ScoringItem:
    return ScoringItem(tuple(inputs), tuple(targets))


def test_identical_inputs_share_one_row() -> None:
    rows = plan_rows([item("abc", "d"), item("abc", "e"), item("abc", "f")])
    assert [(row.input_ids, row.members) for row in rows] == [(tuple("abc"), [0, 1, 2])]


def test_an_input_that_prefixes_another_is_scored_from_the_longer_row() -> None:
    rows = plan_rows([item("ab"), item("abcd"), item("abx"), item("a")])
    assert [(row.input_ids, row.members) for row in rows] == [
        (tuple("abcd"), [0, 1, 3]),
        (tuple("abx"), [2]),
    ]


def test_rows_run_longest_first_and_skip_items_without_targets() -> None:
    rows = plan_rows([item("b"), item("ccc"), item("dd"), item("zzzz", "")])
    assert [row.input_ids for row in rows] == [tuple("ccc"), tuple("dd"), tuple("b")]


def test_scoring_item_drops_the_last_token_and_truncates_from_the_left() -> None:
    assert scoring_item([1, 2, 3], [4, 5], max_length=10) == ScoringItem((1, 2, 3, 4), (4, 5))
    assert scoring_item([1, 2, 3], [4, 5], max_length=3) == ScoringItem((2, 3, 4), (4, 5))
    with pytest.raises(ValueError, match="does not fit"):
        scoring_item([1], [2, 3, 4], max_length=2)


def test_batches_are_consecutive_slices() -> None:
    rows = plan_rows([item(letter * n) for letter, n in zip("abcde", range(5, 0, -1), strict=True)])
    assert [[len(r.input_ids) for r in batch] for batch in batched(rows, 2)] == [
        [5, 4],
        [3, 2],
        [1],
    ]


def test_a_token_budget_puts_many_short_rows_or_few_long_ones_in_a_batch() -> None:
    rows = plan_rows([item("a" * 10), item("b" * 9), item("c" * 3), item("d" * 3), item("e" * 2)])
    shapes = [[len(r.input_ids) for r in batch] for batch in batched(rows, 8, max_tokens=20)]
    assert shapes == [[10, 9], [3, 3, 2]]
    # a row longer than the budget still runs, alone; no row cap means the budget alone decides
    assert [len(b) for b in batched(rows, None, max_tokens=5)] == [1, 1, 1, 1, 1]
    assert [len(b) for b in batched(rows, None, max_tokens=None)] == [5]
