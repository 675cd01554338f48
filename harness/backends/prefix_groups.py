"""Find token prefixes shared by many sequences, where computing them once pays.

Few-shot prompts repeat a long block (MMLU's subject line and five solved examples) before
each question. Its keys and values are the same for every prompt that starts with it, so
they can be computed once and every prompt run from its own first differing token.

Sorted, sequences sharing a prefix lie next to each other, and the longest common prefixes
of neighbours (the LCP array) describe a tree: each node is a run of sequences whose common
prefix is the smallest LCP inside the run, and its children are the longer runs between
positions where that minimum occurs. Counting tokens run through the model, a node either
shares its prefix (computed once, plus a fixed ``overhead``) or lets each child decide for
itself; the cheaper choice, taken bottom-up, gives the plan.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

Tokens = Sequence[int]


@dataclass(frozen=True)
class PrefixGroup:
    """Sequences (indices into the planned list, ascending) run after one shared prefix of
    ``prefix_length`` tokens; a group of length 0 shares nothing and its sequences run whole."""

    prefix_length: int
    members: tuple[int, ...]


@dataclass
class _Plan:
    cost: int  # tokens run through the model under this plan
    groups: list[PrefixGroup]


def plan_prefix_groups(
    sequences: Sequence[Tokens],
    limits: Sequence[int],
    *,
    min_prefix: int,
    overhead: int,
    min_members: int = 2,
) -> list[PrefixGroup]:
    """Partition ``sequences`` into groups that share a token prefix, and a group (prefix
    length 0) of sequences that share none worth computing once.

    ``limits[i]`` is the longest prefix sequence i may share (a position it is scored at, or
    its last token, must be run with it). A shared prefix is at least ``min_prefix`` tokens
    and costs ``overhead`` tokens beyond its own length (a forward pass, copying its cache);
    a group has at least ``min_members`` sequences.
    """
    if len(limits) != len(sequences):
        raise ValueError("one limit per sequence")
    order = sorted(range(len(sequences)), key=lambda i: tuple(sequences[i]))
    if not order:
        return []
    lengths = [len(sequences[i]) for i in order]
    caps = [min(limits[i], len(sequences[i])) for i in order]
    lcp = [
        _common_length(sequences[order[k]], sequences[order[k + 1]]) for k in range(len(order) - 1)
    ]
    # prefix sums: the total length of any run [lo, hi) in O(1)
    total = [0]
    for length in lengths:
        total.append(total[-1] + length)

    def finish(depth: int, lo: int, hi: int, children: list[_Plan]) -> _Plan:
        split = _Plan(sum(c.cost for c in children), [g for c in children for g in c.groups])
        shared = min(depth, min(caps[lo:hi]))
        if shared < min_prefix or hi - lo < min_members:
            return split
        cost = shared + (total[hi] - total[lo] - shared * (hi - lo)) + overhead
        if cost >= split.cost:
            return split
        return _Plan(cost, [PrefixGroup(shared, tuple(sorted(order[lo:hi])))])

    # Bottom-up walk of the LCP tree with a stack of open nodes: [depth, start, children].
    stack: list[list] = [[-1, 0, []]]
    for k in range(len(order)):
        pending_start = k
        pending = _Plan(lengths[k], [PrefixGroup(0, (order[k],))])
        depth = lcp[k] if k < len(lcp) else -1  # -1 closes every node at the end
        while depth < stack[-1][0]:
            node_depth, node_start, children = stack.pop()
            children.append(pending)
            pending = finish(node_depth, node_start, k + 1, children)
            pending_start = node_start
        if depth > stack[-1][0]:
            stack.append([depth, pending_start, [pending]])
        else:
            stack[-1][2].append(pending)
    (root,) = stack
    plans: list[_Plan] = root[2]
    groups = [g for plan in plans for g in plan.groups]
    return _merge_unshared(groups)


def _merge_unshared(groups: list[PrefixGroup]) -> list[PrefixGroup]:
    """Shared groups as planned, the sequences that share nothing gathered in one last group."""
    shared = [g for g in groups if g.prefix_length > 0]
    alone = tuple(sorted(m for g in groups if g.prefix_length == 0 for m in g.members))
    return shared + ([PrefixGroup(0, alone)] if alone else [])


def _common_length(a: Tokens, b: Tokens) -> int:
    n = min(len(a), len(b))
    for i in range(n):
        if a[i] != b[i]:
            return i
    return n
