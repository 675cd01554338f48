"""Line up the per-token logprobs a completions server echoes back for its own prompt.

With ``echo: true, logprobs: k`` an OpenAI-compatible server returns, for every prompt token,
its text, its character offset, its log-probability and the top-k alternatives. Two layouts
exist in the wild:

* ``ALIGNED`` (OpenAI, vLLM, llama.cpp for models that add BOS): entry ``i`` holds the
  distribution that predicts token ``i`` and ``token_logprobs[i]`` is token ``i`` under it.
* ``SHIFTED`` (llama-cpp-python for models that add no BOS, llama-cpp-python #1983): entry
  ``i`` holds the distribution that predicts token ``i + 1``, and ``token_logprobs[i]`` is
  token ``i`` evaluated under it, a meaningless number.

``detect_layout`` tells them apart on a probe text whose next tokens are easy to guess: in
the aligned layout a token is mostly the argmax of its own entry, in the shifted one the
argmax of the entry before it. The client then sends prompts that make the server aligned
(see ``OpenAIBackend``) and proves it with the same test.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

GREEDY_TOLERANCE = 1e-6  # logprobs are floats from JSON; a tie with the top counts as greedy


class EchoLayout(enum.Enum):
    """Which distribution entry ``i`` of an echoed logprobs list belongs to."""

    ALIGNED = "aligned"
    SHIFTED = "shifted"


class MalformedLogprobs(ValueError):
    """The server's logprobs block does not have the shape the OpenAI API promises."""


@dataclass(frozen=True)
class EchoLogprobs:
    """The ``logprobs`` block of one completion choice, checked for shape."""

    tokens: list[str]
    text_offset: list[int]
    token_logprobs: list[float | None]
    top_logprobs: list[dict[str, float] | None]

    @classmethod
    def from_choice(cls, choice: Any) -> EchoLogprobs:
        """Parse ``choice["logprobs"]``; raise MalformedLogprobs when lists are missing or unequal."""
        block = choice.get("logprobs") if isinstance(choice, dict) else None
        if not isinstance(block, dict):
            raise MalformedLogprobs("choice has no logprobs block")
        lists = [block.get(key) for key in ("tokens", "text_offset", "token_logprobs")]
        top = block.get("top_logprobs")
        if not all(isinstance(part, list) for part in lists) or not isinstance(top, list):
            raise MalformedLogprobs("logprobs block lacks tokens/text_offset/token_logprobs lists")
        tokens, offsets, values = lists
        assert isinstance(tokens, list) and isinstance(offsets, list) and isinstance(values, list)
        if not len(tokens) == len(offsets) == len(values) == len(top):
            raise MalformedLogprobs(
                f"logprobs lists differ in length: {len(tokens)} tokens, {len(offsets)} offsets, "
                f"{len(values)} logprobs, {len(top)} top_logprobs"
            )
        return cls(
            tokens=[str(token) for token in tokens],
            text_offset=[int(offset) for offset in offsets],
            token_logprobs=[None if value is None else float(value) for value in values],
            top_logprobs=[
                None if entry is None else {str(k): float(v) for k, v in entry.items()}
                for entry in top
            ],
        )


def _argmax(entry: dict[str, float] | None) -> str | None:
    return max(entry, key=lambda key: entry[key]) if entry else None


def detect_layout(echo: EchoLogprobs, *, min_votes: int = 3) -> EchoLayout:
    """Decide the layout from which tokens are the argmax of which entries; fail if unclear."""
    aligned = shifted = 0
    for i, entry in enumerate(echo.top_logprobs):
        top = _argmax(entry)
        if top is None:
            continue
        aligned += top == echo.tokens[i]
        shifted += i + 1 < len(echo.tokens) and top == echo.tokens[i + 1]
    if aligned >= min_votes and aligned >= 2 * shifted:
        return EchoLayout.ALIGNED
    if shifted >= min_votes and shifted >= 2 * aligned:
        return EchoLayout.SHIFTED
    raise MalformedLogprobs(
        f"cannot tell how echoed logprobs line up (aligned votes {aligned}, shifted {shifted})"
    )


def offset_base(echo: EchoLogprobs, sent_text: str, dropped_prefix: str) -> int:
    """Where the server's offset 0 lies in ``sent_text``.

    A server that drops a leading BOS it parsed from ``dropped_prefix`` counts offsets from
    the character after it; the choice whose offsets land on the echoed token strings wins.
    """
    candidates = [0, len(dropped_prefix)] if dropped_prefix else [0]

    def hits(base: int) -> int:
        return sum(
            bool(token) and sent_text.startswith(token, base + offset)
            for token, offset in zip(echo.tokens, echo.text_offset, strict=True)
        )

    return max(candidates, key=hits)


@dataclass(frozen=True)
class SpanScore:
    """Log-probability of the tokens covering a span of the prompt, and whether all were argmax."""

    logprob: float
    is_greedy: bool
    n_tokens: int
    first_missing: bool  # the span starts at the prompt's first token, which has no logprob


def span_score(echo: EchoLogprobs, *, start: int, end: int) -> SpanScore:
    """Score the prompt tokens that end after ``start`` and begin before ``end``.

    ``start``/``end`` are in the server's offsets. A token straddling ``start`` belongs to the
    span, as lm-eval puts a merge across the context/continuation boundary into the
    continuation. Tokens at or after ``end`` (the generated one) are ignored. The echo must be
    ALIGNED.
    """
    n = len(echo.tokens)
    total = 0.0
    greedy = True
    count = 0
    first_missing = False
    for i in range(n):
        begin = echo.text_offset[i]
        finish = echo.text_offset[i + 1] if i + 1 < n else begin + len(echo.tokens[i])
        if begin >= end or finish <= start:
            continue
        value = echo.token_logprobs[i]
        if value is None:
            if i == 0:
                first_missing = True
                count += 1
                continue
            raise MalformedLogprobs(f"token {i} ({echo.tokens[i]!r}) has no logprob")
        if not math.isfinite(value):
            raise MalformedLogprobs(f"token {i} has a non-finite logprob {value}")
        total += value
        count += 1
        entry = echo.top_logprobs[i]
        if entry:
            greedy = greedy and value >= max(entry.values()) - GREEDY_TOLERANCE
        else:
            raise MalformedLogprobs(f"token {i} ({echo.tokens[i]!r}) has no top_logprobs")
    return SpanScore(logprob=total, is_greedy=greedy, n_tokens=count, first_missing=first_missing)


def tail_score(echo: EchoLogprobs, *, n_prompt: int, n_tail: int) -> SpanScore:
    """Score the last ``n_tail`` of the first ``n_prompt`` entries (token-id prompts)."""
    if len(echo.tokens) < n_prompt:
        raise MalformedLogprobs(
            f"server echoed {len(echo.tokens)} tokens for a prompt of {n_prompt} token ids"
        )
    sliced = EchoLogprobs(
        tokens=echo.tokens[:n_prompt],
        text_offset=list(range(n_prompt)),  # positions stand in for offsets
        token_logprobs=echo.token_logprobs[:n_prompt],
        top_logprobs=echo.top_logprobs[:n_prompt],
    )
    return span_score(sliced, start=n_prompt - n_tail, end=n_prompt)


def greedy_entries(entries: Sequence[dict[str, float] | None]) -> list[str | None]:
    """The argmax token string of each entry (for fingerprints and diagnostics)."""
    return [_argmax(entry) for entry in entries]
