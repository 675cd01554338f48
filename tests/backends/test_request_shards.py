"""Length-balanced shards: every request exactly once, choices of one context together, even work."""

from __future__ import annotations

import pytest

from harness.backends.generation_config import GenerationConfig
from harness.backends.request_shards import length_balanced_shards, request_chars
from harness.backends.requests import GenerationRequest, LoglikelihoodRequest, RollingRequest


def _texts(*lengths: int) -> list[RollingRequest]:
    return [RollingRequest("x" * n) for n in lengths]


def test_every_request_lands_in_exactly_one_shard_in_its_original_order() -> None:
    requests = _texts(5, 1, 9, 3, 7, 2, 8)
    shards = length_balanced_shards(requests, 3)
    assert sorted(i for shard in shards for i in shard) == list(range(7))
    assert all(shard == sorted(shard) for shard in shards)


def test_shards_carry_equal_work_where_equal_is_possible() -> None:
    requests = _texts(8, 7, 6, 5, 5, 4, 3, 2)  # four shards of 10: 8+2, 7+3, 6+4, 5+5
    shards = length_balanced_shards(requests, 4)
    assert [sum(request_chars(requests[i]) for i in shard) for shard in shards] == [10] * 4


def test_the_heaviest_shard_exceeds_the_mean_by_less_than_one_request() -> None:
    lengths = [97, 13, 55, 21, 34, 89, 8, 5, 144, 3, 2, 1, 70, 40]
    shards = length_balanced_shards(_texts(*lengths), 4)
    loads = [sum(lengths[i] for i in shard) for shard in shards]
    assert loads == sorted(loads, reverse=True)  # the heaviest is handed out first
    assert loads[0] - sum(lengths) / 4 < max(lengths)


def test_continuations_of_one_context_stay_in_one_shard() -> None:
    requests = [
        LoglikelihoodRequest("Q: sky?\nA:", " blue"),
        LoglikelihoodRequest("Q: grass?\nA:", " blue"),
        LoglikelihoodRequest("Q: sky?\nA:", " green"),
        LoglikelihoodRequest("Q: grass?\nA:", " green"),
    ]
    shards = length_balanced_shards(requests, 4)
    assert sorted(shards) == [[0, 2], [1, 3]]


def test_fewer_requests_than_shards_gives_one_shard_each_and_no_empty_ones() -> None:
    config = GenerationConfig(max_new_tokens=4)
    requests = [GenerationRequest("Say hello:", config), GenerationRequest("Say bye:", config)]
    assert length_balanced_shards(requests, 8) == [[0], [1]]
    assert length_balanced_shards([], 8) == []


def test_a_shard_count_below_one_is_refused() -> None:
    with pytest.raises(ValueError, match="n_shards must be at least 1"):
        length_balanced_shards(_texts(1), 0)
