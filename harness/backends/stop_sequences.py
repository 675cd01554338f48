"""Stop generating a row once its text contains a stop string, and cut the text before it.

Stop strings are matched on decoded text, not on token ids: "\\n\\n" may be one token, two,
or the tail of a token that also carries the next word, and only the text says which.
"""

from __future__ import annotations

from typing import Any

import torch
from transformers import StoppingCriteria

from harness.backends.generation_config import cut_at_stop

__all__ = ["StopOnText", "TailStopCheck", "cut_at_stop"]


class StopOnText(StoppingCriteria):
    """Ends each row of a batch on its own once its generated text contains a stop string.

    ``stopped_at[row]`` records how many tokens the row had generated when it stopped,
    so the caller knows which tokens it kept; rows never stopped this way stay ``None``.
    """

    def __init__(
        self, tokenizer: Any, stops: tuple[str, ...], prompt_width: int, batch_size: int
    ) -> None:
        self.tokenizer = tokenizer
        self.stops = tuple(stop for stop in stops if stop)
        self.prompt_width = prompt_width  # generated tokens start here (prompts are left-padded)
        self.stopped_at: list[int | None] = [None] * batch_size

    def __call__(
        self, input_ids: torch.LongTensor, scores: torch.FloatTensor, **kwargs: Any
    ) -> torch.BoolTensor:
        """One flag per row: true once that row's text holds a stop string."""
        n_generated = input_ids.shape[1] - self.prompt_width
        for row, stopped in enumerate(self.stopped_at):
            if stopped is None and self.stops:
                text = self.tokenizer.decode(
                    input_ids[row, self.prompt_width :], skip_special_tokens=True
                )
                if any(stop in text for stop in self.stops):
                    self.stopped_at[row] = n_generated
        done = [stopped is not None for stopped in self.stopped_at]
        return torch.tensor(done, dtype=torch.bool, device=input_ids.device)  # type: ignore[return-value]


class TailStopCheck:
    """Whether one row's generated text holds a stop string yet, without decoding it all.

    ``StopOnText`` decodes the whole generation every step, quadratic in its length. A stop
    string that first appears at this step includes some of the newest token's bytes, and
    each token carries at least one byte (special tokens, which decode to nothing, aside), so
    the last ``4 * len(stop) + 2`` other tokens hold all of it: only that tail is decoded.
    A hit in the tail is confirmed on the whole text, so the step found is the one
    ``StopOnText`` finds.
    """

    def __init__(self, tokenizer: Any, stops: tuple[str, ...]) -> None:
        self.tokenizer = tokenizer
        self.stops = tuple(stop for stop in stops if stop)
        self.window = 4 * max((len(stop) for stop in self.stops), default=0) + 2
        self.special = set(getattr(tokenizer, "all_special_ids", ()) or ())

    def found(self, generated: list[int]) -> bool:
        """True once ``generated`` decodes to a text holding a stop string."""
        if not self.stops:
            return False
        start, counted = len(generated), 0
        while start > 0 and counted < self.window:
            start -= 1
            counted += generated[start] not in self.special
        tail = self.tokenizer.decode(generated[start:], skip_special_tokens=True)
        if not any(stop in tail for stop in self.stops):
            return False
        text = tail if start == 0 else self.tokenizer.decode(generated, skip_special_tokens=True)
        return any(stop in text for stop in self.stops)
