"""Stop generating a row once its text contains a stop string, and cut the text before it.

Stop strings are matched on decoded text, not on token ids: "\\n\\n" may be one token, two,
or the tail of a token that also carries the next word, and only the text says which.
"""

from __future__ import annotations

from typing import Any

import torch
from transformers import StoppingCriteria

from harness.backends.generation_config import cut_at_stop

__all__ = ["StopOnText", "cut_at_stop"]


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
