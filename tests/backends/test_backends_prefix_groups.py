"""Planning shared prefixes: which sequences run after a prefix computed once, and which alone."""

from harness.backends.prefix_groups import PrefixGroup, plan_prefix_groups

SHOTS = list(range(100, 140))  # a 40-token few-shot block


def plan(
    sequences: list[list[int]],
    *,
    limits: list[int] | None = None,
    overhead: int = 4,
    min_members: int = 2,
) -> list[PrefixGroup]:
    """Plan with an 8-token minimum; by default each sequence may share all but its last token."""
    return plan_prefix_groups(
        sequences,
        [len(s) - 1 for s in sequences] if limits is None else limits,
        min_prefix=8,
        overhead=overhead,
        min_members=min_members,
    )


def test_prompts_after_one_few_shot_block_share_it() -> None:
    prompts = [[*SHOTS, 1, 2, 3], [*SHOTS, 4, 5], [*SHOTS, 1, 6]]
    assert plan(prompts) == [PrefixGroup(40, (0, 1, 2))]


def test_sequences_sharing_nothing_form_one_unshared_group() -> None:
    prompts = [[1, 2, 3], [4, 5, 6], [*SHOTS, 7], [*SHOTS, 8], [9]]
    assert plan(prompts) == [PrefixGroup(40, (2, 3)), PrefixGroup(0, (0, 1, 4))]


def test_a_prefix_shorter_than_the_minimum_is_not_shared() -> None:
    prompts = [[1, 2, 3, 4, 10], [1, 2, 3, 4, 11]]
    assert plan(prompts) == [PrefixGroup(0, (0, 1))]


def test_each_subject_gets_its_own_block_rather_than_their_short_common_header() -> None:
    header = [7, 7, 7, 7, 7, 7, 7, 7, 7, 7]
    first, second = header + SHOTS, header + [200 + t for t in SHOTS]
    prompts = [[*first, 1], [*second, 2], [*first, 3], [*second, 4]]
    assert plan(prompts) == [PrefixGroup(50, (0, 2)), PrefixGroup(50, (1, 3))]


def test_a_common_header_is_shared_when_the_blocks_after_it_are_not() -> None:
    header = list(range(300, 320))
    prompts = [[*header, 1, 2], [*header, 3, 4], [*header, 5, 6]]
    assert plan(prompts) == [PrefixGroup(20, (0, 1, 2))]


def test_the_shared_prefix_stops_before_every_member_s_limit() -> None:
    prompts = [[*SHOTS, 1, 2, 3], [*SHOTS, 4, 5]]
    groups = plan(prompts, limits=[30, 41])
    assert groups == [PrefixGroup(30, (0, 1))]


def test_sharing_that_saves_less_than_its_overhead_is_skipped() -> None:
    prompts = [[*SHOTS[:10], 1], [*SHOTS[:10], 2]]
    assert plan(prompts, overhead=4) == [PrefixGroup(10, (0, 1))]
    assert plan(prompts, overhead=20) == [PrefixGroup(0, (0, 1))]


def test_a_group_needs_at_least_min_members() -> None:
    prompts = [[*SHOTS, 1], [*SHOTS, 2], [3, 4]]
    assert plan(prompts, min_members=3) == [PrefixGroup(0, (0, 1, 2))]


def test_identical_sequences_and_an_empty_list() -> None:
    assert plan([[*SHOTS, 1], [*SHOTS, 1]]) == [PrefixGroup(40, (0, 1))]
    assert plan([]) == []
    assert plan([[5]]) == [PrefixGroup(0, (0,))]
