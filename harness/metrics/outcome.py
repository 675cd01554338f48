"""The record an evaluated item hands to metrics.

One flat, frozen record for every output type keeps the runner simple: it fills the fields
its request produced and each metric reads only the fields it needs, failing loudly when
they are missing.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class ItemOutcome:
    """What one evaluated item produced; each metric reads the fields it needs."""

    # multiple choice (loglikelihood of each choice as continuation)
    choice_logprobs: tuple[float, ...] | None = None
    choice_is_greedy: tuple[bool, ...] | None = None
    choices: tuple[str, ...] | None = None  # the continuation strings, as scored (e.g. " A")
    gold: int | None = None  # index of the correct choice
    # generation
    prediction: str | None = None
    references: tuple[str, ...] | None = None  # one or more references
    # rolling loglikelihood (perplexity-type tasks)
    logprob: float | None = None  # total natural-log prob of the text
    n_tokens: int | None = None
    n_words: int | None = None
    n_bytes: int | None = None
