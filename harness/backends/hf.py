"""The local backend: a transformers causal LM scored and sampled in this process.

Loglikelihoods reproduce lm-eval's HFLM (tokenisation, left truncation, rolling windows),
so a task scored here gives lm-eval's numbers; the batching underneath is ours: rows shared
between requests, log-probabilities computed only where a token is scored.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

import torch

from harness.backends.base import ProgressCallback
from harness.backends.collate import ScoringItem, ScoringRow, batched, plan_rows, scoring_item
from harness.backends.encoding import encode_pair, encode_text, prefix_token_id
from harness.backends.generation_config import GenerationConfig
from harness.backends.hf_generate import generate_batch, seeded
from harness.backends.requests import (
    GenerationRequest,
    GenerationResult,
    LoglikelihoodRequest,
    LoglikelihoodResult,
    RollingRequest,
    RollingResult,
)
from harness.backends.rolling_windows import rolling_windows
from harness.backends.selective_logprobs import decoder_head_matches_model, score_positions
from harness.errors import HarnessError
from harness.models.loaded import LoadedModel

DEFAULT_MAX_LENGTH = 2048  # lm-eval's fallback when neither config nor tokenizer gives one
_TOKENIZER_UNBOUNDED = 1_000_000_000_000_000_019_884_624_838_656  # transformers' "no limit" value

BatchDone = Callable[[list[int], int], None]  # (item indices finished, tokens run)


class ItemScore(NamedTuple):
    """The summed log-probability of an item's targets and whether each was the argmax."""

    logprob: float
    is_greedy: bool


class HFBackend:
    """Runs requests through a loaded transformers model, in batches of ``batch_size`` rows.

    ``max_length`` caps the tokens of one forward pass (inputs are cut from the left, rolling
    texts are windowed); by default it is the model's context length, found as lm-eval finds it.
    """

    def __init__(
        self, loaded: LoadedModel, *, batch_size: int = 8, max_length: int | None = None
    ) -> None:
        if batch_size < 1:
            raise HarnessError(f"batch size must be at least 1, got {batch_size}")
        if max_length is not None and max_length < 1:
            raise HarnessError(f"max_length must be at least 1, got {max_length}")
        self.loaded = loaded
        self.model = loaded.model
        self.tokenizer = loaded.tokenizer
        self.batch_size = batch_size
        self.max_length = max_length or model_max_length(self.model.config, self.tokenizer)
        self.prefix_token_id = prefix_token_id(self.tokenizer)
        self.tokens_processed = 0
        self._via_decoder: bool | None = None  # decided on first scoring call

    @torch.inference_mode()
    def loglikelihood(
        self, requests: Sequence[LoglikelihoodRequest], progress: ProgressCallback | None = None
    ) -> list[LoglikelihoodResult]:
        """Score each continuation given its context, tokenised and truncated as lm-eval does."""
        items = []
        for request in requests:
            context, continuation = encode_pair(
                self.tokenizer, request.context, request.continuation
            )
            items.append(self._item(context, continuation))

        def report(done: list[int], tokens: int) -> None:
            if progress is not None:
                progress(len(done), tokens)

        scores = self._score(items, report)
        return [
            LoglikelihoodResult(
                logprob=score.logprob, is_greedy=score.is_greedy, n_tokens=len(item.targets)
            )
            for item, score in zip(items, scores, strict=True)
        ]

    @torch.inference_mode()
    def loglikelihood_rolling(
        self, requests: Sequence[RollingRequest], progress: ProgressCallback | None = None
    ) -> list[RollingResult]:
        """Score every token of each text, in lm-eval's rolling windows of ``max_length``."""
        items: list[ScoringItem] = []
        owner: list[int] = []  # request index of each window
        n_tokens: list[int] = []
        for index, request in enumerate(requests):
            tokens = encode_text(self.tokenizer, request.text)
            n_tokens.append(len(tokens))
            for context, predicted in rolling_windows(
                tokens, prefix_token=self.prefix_token_id, max_length=self.max_length
            ):
                items.append(self._item(context, predicted))
                owner.append(index)
        windows_left = [0] * len(requests)
        for index in owner:
            windows_left[index] += 1
        n_empty = windows_left.count(0)

        def report(done: list[int], tokens: int) -> None:
            # A text counts as done when its last window is.
            finished = 0
            for item_index in done:
                windows_left[owner[item_index]] -= 1
                finished += windows_left[owner[item_index]] == 0
            if progress is not None:
                progress(finished, tokens)

        scores = self._score(items, report)
        if progress is not None and n_empty:
            progress(n_empty, 0)  # empty texts have no windows: log-probability 0, nothing to run
        totals = [0.0] * len(requests)
        for index, score in zip(owner, scores, strict=True):
            totals[index] += score.logprob
        return [
            RollingResult(logprob=total, n_tokens=count, n_bytes=len(request.text.encode("utf-8")))
            for total, count, request in zip(totals, n_tokens, requests, strict=True)
        ]

    @torch.inference_mode()
    def generate(
        self, requests: Sequence[GenerationRequest], progress: ProgressCallback | None = None
    ) -> list[GenerationResult]:
        """Continue each prompt; requests with identical configs are batched, longest first."""
        groups: dict[GenerationConfig, list[int]] = defaultdict(list)
        for index, request in enumerate(requests):
            groups[request.config].append(index)
        results: list[GenerationResult | None] = [None] * len(requests)
        for config, indices in groups.items():
            prompts = {index: self._prompt_ids(requests[index].prompt, config) for index in indices}
            order = sorted(indices, key=lambda index: -len(prompts[index]))
            with seeded(config.seed, self.model.device):
                for start in range(0, len(order), self.batch_size):
                    batch = order[start : start + self.batch_size]
                    outputs = generate_batch(
                        self.model, self.tokenizer, [prompts[i] for i in batch], config
                    )
                    tokens = 0
                    for index, output in zip(batch, outputs, strict=True):
                        results[index] = output
                        tokens += len(prompts[index]) + output.n_tokens
                    self.tokens_processed += tokens
                    if progress is not None:
                        progress(len(batch), tokens)
        finished = [result for result in results if result is not None]
        assert len(finished) == len(requests), "every request belongs to exactly one group"
        return finished

    def _item(self, context: list[int], continuation: list[int]) -> ScoringItem:
        try:
            return scoring_item(context, continuation, self.max_length)
        except ValueError as exc:
            raise HarnessError(f"{exc}; shorten the continuation or raise max_length") from None

    def _prompt_ids(self, prompt: str, config: GenerationConfig) -> list[int]:
        """The prompt's tokens, cut from the left so prompt + new tokens fit in ``max_length``."""
        room = self.max_length - config.max_new_tokens
        if room < 1:
            raise HarnessError(
                f"max_new_tokens={config.max_new_tokens} leaves no room for a prompt in "
                f"max_length={self.max_length}; lower max_new_tokens"
            )
        ids = encode_text(self.tokenizer, prompt)[-room:]
        return ids or [self.prefix_token_id]  # an empty prompt is conditioned on the prefix token

    def _score(self, items: list[ScoringItem], on_batch: BatchDone) -> list[ItemScore]:
        """Sum each item's target log-probabilities, batch by batch; results in item order."""
        scores = [ItemScore(0.0, True)] * len(items)  # items with no targets keep these
        rows = plan_rows(items)
        if rows and self._via_decoder is None:
            # Decided once per model, on a few tokens of the shortest row (the cheapest check).
            self._via_decoder = decoder_head_matches_model(self.model, list(rows[-1].input_ids[:8]))
        for batch in batched(rows, self.batch_size):
            done = self._score_batch(batch, items)
            for member, score in done.items():
                scores[member] = score
            tokens = sum(len(row.input_ids) for row in batch)
            self.tokens_processed += tokens
            on_batch(list(done), tokens)
        unscored = [index for index, item in enumerate(items) if not item.targets]
        if unscored:
            on_batch(unscored, 0)  # nothing to predict: log-probability 0, trivially greedy
        return scores

    def _score_batch(
        self, batch: list[ScoringRow], items: list[ScoringItem]
    ) -> dict[int, ItemScore]:
        """One forward pass for ``batch``; the scores of every item its rows serve."""
        device = self.model.device
        pad_id = self.tokenizer.pad_token_id
        input_ids, attention_mask = _right_padded(
            batch, self.prefix_token_id if pad_id is None else pad_id, device
        )
        # Each (row, position) is computed once, however many members score it.
        slot: dict[tuple[int, int], int] = {}
        pairs: list[tuple[int, int]] = []  # (slot, target) of every scored token, member by member
        members = [member for row in batch for member in row.members]
        for b, row in enumerate(batch):
            for member in row.members:
                item = items[member]
                for position, target in zip(_scored_positions(item), item.targets, strict=True):
                    pairs.append((slot.setdefault((b, position), len(slot)), target))
        scored = score_positions(
            self.model,
            input_ids,
            attention_mask,
            list(slot),
            pairs,
            via_decoder=bool(self._via_decoder),
        )
        done: dict[int, ItemScore] = {}
        start = 0
        for member in members:
            end = start + len(items[member].targets)
            is_greedy = all(scored.argmax[pairs[k][0]] == pairs[k][1] for k in range(start, end))
            done[member] = ItemScore(sum(scored.target_logprobs[start:end]), is_greedy)
            start = end
        return done


def _right_padded(
    rows: list[ScoringRow], pad_id: int, device: torch.device
) -> tuple[torch.Tensor, torch.Tensor]:
    """Input ids and attention mask, padded on the right: causal attention never looks
    ahead, so the padding cannot change a real position's hidden state."""
    width = max(len(row.input_ids) for row in rows)
    ids = [list(row.input_ids) + [pad_id] * (width - len(row.input_ids)) for row in rows]
    mask = [[1] * len(row.input_ids) + [0] * (width - len(row.input_ids)) for row in rows]
    return (
        torch.tensor(ids, dtype=torch.long, device=device),
        torch.tensor(mask, dtype=torch.long, device=device),
    )


def _scored_positions(item: ScoringItem) -> range:
    """Positions of the input whose next-token prediction is one of the item's targets."""
    return range(len(item.input_ids) - len(item.targets), len(item.input_ids))


def model_max_length(config: Any, tokenizer: Any) -> int:
    """The model's context length, looked up in lm-eval's order: config, tokenizer, 2048."""
    text_config = getattr(config, "text_config", None) or config
    for attribute in ("n_positions", "max_position_embeddings", "n_ctx"):
        value = getattr(text_config, attribute, None)
        if value is not None:
            return int(value)
    from_tokenizer = getattr(tokenizer, "model_max_length", None)
    if from_tokenizer is not None and from_tokenizer != _TOKENIZER_UNBOUNDED:
        return int(from_tokenizer)
    return DEFAULT_MAX_LENGTH
