"""Cut a long token sequence into model-sized windows that score every token exactly once.

Ported from lm-eval's ``get_rolling_token_windows`` + ``make_disjoint_window`` (with
``context_len=1``) so rolling loglikelihoods, and so perplexities, match lm-eval's: the
first window predicts its tokens from the prefix token; each later window predicts the next
tokens with as much preceding text as fits as its context.
"""

from __future__ import annotations

TokenWindow = tuple[list[int], list[int]]  # (context tokens, tokens to predict)


def rolling_windows(tokens: list[int], *, prefix_token: int, max_length: int) -> list[TokenWindow]:
    """Disjoint (context, predicted) windows; concatenated, the predicted parts are ``tokens``.

    Each window's context + predicted tokens fit in ``max_length + 1`` tokens, i.e. one
    forward pass of at most ``max_length`` positions.
    """
    if max_length < 1:
        raise ValueError(f"max_length must be at least 1, got {max_length}")
    if not tokens:
        return []
    first = min(max_length, len(tokens))
    windows: list[TokenWindow] = [([prefix_token], tokens[:first])]
    predicted = first
    while predicted < len(tokens):
        n_predict = min(len(tokens) - predicted, max_length)
        end = predicted + n_predict
        # lm-eval's window is tokens[end - max_length - 1 : end - 1]; made disjoint, its
        # context is the part before the predicted tokens.
        context = tokens[end - max_length - 1 : predicted]
        windows.append((context, tokens[predicted:end]))
        predicted = end
    return windows
