"""Turn request strings into token ids exactly as lm-eval's HFLM does for causal models.

Scores are only comparable with published lm-eval numbers when the tokens are the same, so
every quirk is kept: trailing spaces of a context move to the continuation, the pair is
encoded whole and split at the length of the encoded context (so a merge across the
boundary lands in the continuation), and an empty context becomes the prefix token.
"""

from __future__ import annotations

from typing import Any

TokenIds = list[int]


def prefix_token_id(tokenizer: Any) -> int:
    """The token a text is conditioned on when it has no context: BOS, else EOS (as lm-eval)."""
    if tokenizer.bos_token_id is not None:
        return int(tokenizer.bos_token_id)
    return int(tokenizer.eos_token_id)


def encode_text(tokenizer: Any, text: str, *, add_special_tokens: bool | None = None) -> TokenIds:
    """Encode ``text`` as lm-eval's ``tok_encode``.

    With ``add_special_tokens=None`` the tokenizer's own default applies (a Llama-2 tokenizer
    adds BOS, SmolLM2's adds nothing) unless the text already starts with the prefix token's
    text, which must not be doubled.
    """
    kwargs: dict[str, bool] = {}
    if add_special_tokens is not None:
        kwargs["add_special_tokens"] = add_special_tokens
    elif text.startswith(tokenizer.decode(prefix_token_id(tokenizer))):
        kwargs["add_special_tokens"] = False
    return list(tokenizer.encode(text, **kwargs))


def encode_pair(tokenizer: Any, context: str, continuation: str) -> tuple[TokenIds, TokenIds]:
    """The (context, continuation) token ids lm-eval scores for one loglikelihood request."""
    if context == "":
        return _encode_without_context(tokenizer, continuation)
    n_spaces = len(context) - len(context.rstrip())
    if n_spaces > 0:
        # "Answer: " + "A" must tokenise like "Answer:" + " A", as the model saw it in training.
        continuation = context[-n_spaces:] + continuation
        context = context[:-n_spaces]
    if context == "":
        # A context of spaces only: lm-eval fails on it (empty context_enc); scoring the
        # spaces as part of the continuation after the prefix token is the nearest sense.
        return _encode_without_context(tokenizer, continuation)
    whole = encode_text(tokenizer, context + continuation)
    context_ids = encode_text(tokenizer, context)
    return context_ids, whole[len(context_ids) :]


def _encode_without_context(tokenizer: Any, continuation: str) -> tuple[TokenIds, TokenIds]:
    """Condition on the prefix token, unless the continuation already starts with it."""
    ids = encode_text(tokenizer, continuation, add_special_tokens=False)
    prefix = prefix_token_id(tokenizer)
    if ids and ids[0] == prefix:
        return ids[:1], ids[1:]
    return [prefix], ids
