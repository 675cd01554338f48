"""The local backend: a transformers causal LM scored and sampled in this process.

Loglikelihoods reproduce lm-eval's HFLM (tokenisation, left truncation, rolling windows),
so a task scored here gives lm-eval's numbers; the batching underneath is ours: rows shared
between requests, a token prefix shared by many rows (a few-shot block) run once and its
keys and values lent to every row after it, batches bounded by rows and by padded tokens
(halved when memory runs out), log-probabilities computed only where a token is scored.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from functools import partial
from typing import TYPE_CHECKING, Any, TypeVar

import torch
from transformers import DynamicCache
from transformers.cache_utils import DynamicLayer

from harness.backends.base import ProgressCallback
from harness.backends.collate import (
    ScoringItem,
    ScoringRow,
    plan_rows,
    rows_that_fit,
    scoring_item,
)
from harness.backends.continuous_batching import (
    GenerationJob,
    LazyPrefix,
    generate_continuously,
    row_seed,
)
from harness.backends.encoding import encode_pair, encode_text, prefix_token_id
from harness.backends.generation_config import GenerationConfig
from harness.backends.generation_stream import GenerationAnswered
from harness.backends.hf_generate import eos_token_ids, generate_batch, seeded
from harness.backends.prefix_cache import SharedPrefix, compute_prefix
from harness.backends.prefix_groups import plan_prefix_groups
from harness.backends.requests import (
    GenerationRequest,
    GenerationResult,
    LoglikelihoodRequest,
    LoglikelihoodResult,
    RollingRequest,
    RollingResult,
    ScoringRequest,
    ScoringResult,
)
from harness.backends.rolling_windows import rolling_windows
from harness.backends.score_tally import ItemScore, ScoreTally
from harness.backends.scoring_stream import Answered
from harness.backends.selective_logprobs import decoder_head_matches_model, score_positions
from harness.errors import HarnessError
from harness.models.loaded import LoadedModel
from harness.store.records import ModelRecord

if TYPE_CHECKING:
    from harness.backends.settings import BackendSettings

DEFAULT_MAX_LENGTH = 2048  # lm-eval's fallback when neither config nor tokenizer gives one
_TOKENIZER_UNBOUNDED = 1_000_000_000_000_000_019_884_624_838_656  # transformers' "no limit" value

# Padded positions per scoring pass. On CPU small batches run fastest (their activations
# stay in cache: MMLU scores 10-20% faster at 512 than at 8192); elsewhere the budget only
# bounds memory. Generation batches hold prompt + new tokens and are bounded for memory alone.
CPU_BATCH_TOKENS = 512
ACCELERATOR_BATCH_TOKENS = 8192
GENERATION_BATCH_TOKENS = 16384  # the static path's batches
# The continuous batch's rows, each counted at its prompt plus its token limit (SmolLM2
# holds about 46 KB of keys and values per position: 65,536 positions are 3 GB).
CONTINUOUS_BATCH_TOKENS = 65536
# Rows of the continuously refilled generation batch unless ``generation_rows`` says: one
# decoding step reads every weight once whatever the rows, so more rows share that cost
# (SmolLM2 on one CPU core: 11 tok/s with 1 row, 46 with 8, 92 with 32).
GENERATION_ROWS = 32
# A prefix is run once when at least this long and when that saves more tokens than the
# extra pass and the cache copies cost (counted as this many tokens).
MIN_SHARED_PREFIX = 16
PREFIX_OVERHEAD_TOKENS = 32
# A stream of many tasks' scoring requests is scored in waves of about this many full
# batches: enough for small tasks to fill batches together, few enough that a task's
# answers are not held back long by work queued behind it.
STREAM_WAVE_BATCHES = 64

Job = TypeVar("Job")
Out = TypeVar("Out")
logger = logging.getLogger(__name__)


class HFBackend:
    """Runs requests through a loaded transformers model in length-sorted batches.

    A scoring batch holds at most ``batch_size`` rows (None: no limit but the budget) and
    ``max_batch_tokens`` padded positions, not counting a shared prefix, which is not run
    again (by default 512 on CPU, 8192 elsewhere). ``continuous_batching`` (default) keeps
    one generation batch of up to ``generation_rows`` rows (default 32) and 65,536 prompt
    and new tokens full across all generation requests of a call or a stream; off, the
    static path runs batches of ``batch_size`` rows and 16,384 tokens, each until its
    longest row ends. When memory runs out a batch is halved and later batches stay at that
    size. ``prefix_reuse`` runs a token prefix shared by many requests once (off: every row
    runs whole; the numbers agree to float rounding).
    ``max_length`` caps the tokens of one forward pass (inputs are cut from the left, rolling
    texts are windowed); by default it is the model's context length, found as lm-eval finds it.
    """

    def __init__(
        self,
        loaded: LoadedModel,
        *,
        batch_size: int | None = 8,
        max_length: int | None = None,
        max_batch_tokens: int | None = None,
        prefix_reuse: bool = True,
        continuous_batching: bool = True,
        generation_rows: int | None = None,
    ) -> None:
        if batch_size is not None and batch_size < 1:
            raise HarnessError(f"batch size must be at least 1, got {batch_size}")
        if max_length is not None and max_length < 1:
            raise HarnessError(f"max_length must be at least 1, got {max_length}")
        if max_batch_tokens is not None and max_batch_tokens < 1:
            raise HarnessError(f"max_batch_tokens must be at least 1, got {max_batch_tokens}")
        if generation_rows is not None and generation_rows < 1:
            raise HarnessError(f"generation rows must be at least 1, got {generation_rows}")
        self.loaded = loaded
        self.model = loaded.model
        self.tokenizer = loaded.tokenizer
        self.batch_size = batch_size
        on_cpu = self.model.device.type == "cpu"
        self.max_batch_tokens = max_batch_tokens or (
            CPU_BATCH_TOKENS if on_cpu else ACCELERATOR_BATCH_TOKENS
        )
        self.prefix_reuse = prefix_reuse
        self.continuous_batching = continuous_batching
        self.max_length = max_length or model_max_length(self.model.config, self.tokenizer)
        self.prefix_token_id = prefix_token_id(self.tokenizer)
        self.tokens_processed = 0
        self._via_decoder: bool | None = None  # decided on first scoring call
        self._row_cap = batch_size  # lowered when a batch runs out of memory
        # Rows of the continuous generation batch (halved when memory runs out).
        self._generation_cap = generation_rows or GENERATION_ROWS

    applies_chat_template = False  # the runner formats chat prompts with ``tokenizer``
    served = False

    @classmethod
    def from_settings(cls, settings: BackendSettings) -> HFBackend:
        """Load ``settings.model`` (or take the model already loaded) and wrap it."""
        loaded = settings.loaded
        if loaded is None:
            if settings.load_model is None:
                raise HarnessError("the hf backend needs a model loader; pass load_model")
            loaded = settings.load_model(settings.model)
        if settings.base_urls:
            raise HarnessError(
                "--base-url is for served models; add --backend openai, or drop --base-url "
                "to load the weights in this process"
            )
        if loaded.model.device.type == "cpu":
            from harness.backends.cpu_threads import set_cpu_threads

            set_cpu_threads()  # the cores idle now: busy ones make every thread wait
        return cls(loaded, batch_size=settings.batch_size, generation_rows=settings.generation_rows)

    @property
    def device(self) -> str:
        """Where the weights live, as the loader was told (``cpu``, ``cuda:1``)."""
        return self.loaded.device

    def model_record(self) -> ModelRecord:
        """The weights' record: their content hash is the run's model identity."""
        return self.loaded.record()

    def loglikelihood(
        self, requests: Sequence[LoglikelihoodRequest], progress: ProgressCallback | None = None
    ) -> list[LoglikelihoodResult]:
        """Score each continuation given its context, tokenised and truncated as lm-eval does."""
        return self._answer_all(requests, progress)  # type: ignore[return-value]

    def loglikelihood_rolling(
        self, requests: Sequence[RollingRequest], progress: ProgressCallback | None = None
    ) -> list[RollingResult]:
        """Score every token of each text, in lm-eval's rolling windows of ``max_length``."""
        return self._answer_all(requests, progress)  # type: ignore[return-value]

    def _answer_all(
        self, requests: Sequence[ScoringRequest], progress: ProgressCallback | None
    ) -> list[ScoringResult]:
        """Every request in one wave, results in request order."""
        results: list[ScoringResult | None] = [None] * len(requests)
        for answered in self.score_stream(requests, [range(len(requests))], progress):
            for index, result in answered:
                results[index] = result
        return [r for r in results if r is not None]

    @torch.inference_mode()
    def score_stream(
        self,
        requests: Sequence[ScoringRequest],
        groups: Sequence[Sequence[int]],
        progress: ProgressCallback | None = None,
        wanted: Sequence[bool] | None = None,
    ) -> Iterator[Answered]:
        """Loglikelihood and rolling requests of many groups (tasks) scored together; each
        request is yielded (with its index) as soon as its last item is scored.

        Groups are taken in order into waves of about ``STREAM_WAVE_BATCHES`` full batches
        (a group is never split); a wave's rows are shared, sorted and batched as one list,
        so small groups fill batches together and a prefix is run once for all of them. The
        wave bounds how much finished work waits on one row of a group, and so what a killed
        run loses. A wave without a ``wanted`` group is skipped (see ``stream_scores``).
        """
        wave_tokens = STREAM_WAVE_BATCHES * self.max_batch_tokens
        tally, needed = ScoreTally(), False
        for number, group in enumerate(groups):
            for index in group:
                tally.add(index, requests[index], self._scoring_items(requests[index]))
            needed = needed or wanted is None or wanted[number]
            if tally.tokens >= wave_tokens or number == len(groups) - 1:
                if needed:
                    yield from self._score_wave(tally, progress)
                tally, needed = ScoreTally(), False

    def _scoring_items(self, request: ScoringRequest) -> list[ScoringItem]:
        """One item for a (context, continuation) pair; one per rolling window of a text."""
        if isinstance(request, LoglikelihoodRequest):
            context, continuation = encode_pair(
                self.tokenizer, request.context, request.continuation
            )
            return [self._item(context, continuation)]
        tokens = encode_text(self.tokenizer, request.text)
        return [
            self._item(context, predicted)
            for context, predicted in rolling_windows(
                tokens, prefix_token=self.prefix_token_id, max_length=self.max_length
            )
        ]

    def _score_wave(
        self, tally: ScoreTally, progress: ProgressCallback | None
    ) -> Iterator[Answered]:
        """Score the items of ``tally``; yield the requests each batch completes."""
        ready = tally.answered_without_items()
        if ready:
            if progress is not None:
                progress(len(ready), 0)
            yield ready
        for done, tokens in self._scored_batches(tally.items):
            complete = tally.record(done)
            if progress is not None:
                progress(len(complete), tokens)
            if complete:
                yield complete

    def generate(
        self, requests: Sequence[GenerationRequest], progress: ProgressCallback | None = None
    ) -> list[GenerationResult]:
        """Continue each prompt. All requests share one continuously refilled batch (a row
        that finishes leaves at once and a waiting one takes its place), and a prompt prefix
        shared by two or more of them is run once; greedy outputs equal ``model.generate``'s."""
        if not self.continuous_batching or not _plain_full_attention(self.model):
            return self._generate_static(requests, progress)
        results: list[GenerationResult | None] = [None] * len(requests)
        for answered in self.generate_stream(requests, [range(len(requests))], progress):
            for index, result in answered:
                results[index] = result
        return [r for r in results if r is not None]

    def generate_stream(
        self,
        requests: Sequence[GenerationRequest],
        groups: Sequence[Sequence[int]],
        progress: ProgressCallback | None = None,
        wanted: Sequence[bool] | None = None,
    ) -> Iterator[GenerationAnswered]:
        """The generation requests of many groups (tasks) in one continuously refilled
        batch; each is yielded (with its index) the moment it finishes.

        Rows are admitted group by group, so the groups finish roughly in order while the
        batch stays full across their boundaries; within a group, requests sharing a prompt
        prefix go together (the prefix computed when the first is admitted, dropped after the
        last), longest first. Groups not ``wanted`` are not run: a request's output does not
        depend on what else shares its steps (greedy rows decode as alone, sampled rows
        draw from their own seeded stream).
        """
        if not self.continuous_batching or not _plain_full_attention(self.model):
            for number, group in enumerate(groups):
                if wanted is None or wanted[number]:
                    asked = [requests[i] for i in group]
                    yield list(zip(group, self._generate_static(asked, progress), strict=True))
            return
        jobs: dict[int, GenerationJob] = {}
        order: list[int] = []
        for number, group in enumerate(groups):
            if wanted is not None and not wanted[number]:
                continue
            prompts = {i: self._prompt_ids(requests[i].prompt, requests[i].config) for i in group}
            seen: dict[tuple[GenerationConfig, tuple[int, ...]], int] = defaultdict(int)
            for index in group:
                config = requests[index].config
                key = (config, tuple(prompts[index]))
                jobs[index] = GenerationJob(
                    prompts[index], config, row_seed(config.seed, prompts[index], seen[key])
                )
                seen[key] += 1
            for length, members in self._shared_prompts(list(group), prompts, min_members=2):
                if length:
                    prefix = LazyPrefix(prompts[members[0]][:length], len(members), self._prefix)
                    for member in members:
                        jobs[member].prefix = prefix
                order += sorted(members, key=lambda index: -len(prompts[index]))
        yield from self._generate_jobs(jobs, order, progress)

    @torch.inference_mode()
    def _generate_jobs(
        self, jobs: dict[int, GenerationJob], order: list[int], progress: ProgressCallback | None
    ) -> Iterator[GenerationAnswered]:
        """Run ``jobs`` in ``order``; when memory runs out, halve the rows and go on with the
        jobs not finished (same seeds, so the same outputs)."""
        eos_ids = eos_token_ids(self.model, self.tokenizer)
        pad_id = self.tokenizer.pad_token_id
        finished: set[int] = set()
        while len(finished) < len(order):
            try:
                for index, result, tokens in generate_continuously(
                    self.model,
                    self.tokenizer,
                    jobs,
                    [index for index in order if index not in finished],
                    max_rows=self._generation_cap,
                    max_tokens=CONTINUOUS_BATCH_TOKENS,
                    eos_ids=eos_ids,
                    pad_id=pad_id if pad_id is not None else (eos_ids or [0])[0],
                ):
                    finished.add(index)
                    self.tokens_processed += tokens
                    if progress is not None:
                        progress(1, tokens)
                    yield [(index, result)]
            except (torch.OutOfMemoryError, RuntimeError) as exc:
                rows = self._generation_cap
                if rows == 1 or not _is_out_of_memory(exc):
                    raise
                self._generation_cap = rows // 2
                logger.warning("out of memory with %d rows generating; now %d", rows, rows // 2)

    def _generate_static(
        self, requests: Sequence[GenerationRequest], progress: ProgressCallback | None = None
    ) -> list[GenerationResult]:
        """The static path (``continuous_batching=False``): ``model.generate`` on batches of
        one config, longest first, each running until its longest row ends; kept as the
        reference the continuous path is tested and benchmarked against."""
        groups: dict[GenerationConfig, list[int]] = defaultdict(list)
        for index, request in enumerate(requests):
            groups[request.config].append(index)
        results: dict[int, GenerationResult] = {}
        for config, indices in groups.items():
            prompts = {index: self._prompt_ids(requests[index].prompt, config) for index in indices}
            with seeded(config.seed, self.model.device):
                for length, members in self._shared_prompts(indices, prompts):
                    prefix = self._prefix(prompts[members[0]][:length]) if length else None
                    order = sorted(members, key=lambda index: -len(prompts[index]))
                    widths = [len(prompts[index]) + config.max_new_tokens for index in order]
                    run = partial(
                        self._generate_batch, prompts=prompts, config=config, prefix=prefix
                    )
                    for first, batch in enumerate(
                        self._batches(order, widths, GENERATION_BATCH_TOKENS)
                    ):
                        outputs = self._halving_on_oom(batch, run)
                        results.update(zip(batch, outputs, strict=True))
                        offset = prefix.length if prefix is not None else 0
                        tokens = sum(len(prompts[i]) - offset for i in batch)
                        tokens += sum(output.n_tokens for output in outputs)
                        tokens += offset if first == 0 else 0  # the prefix runs once per group
                        self.tokens_processed += tokens
                        if progress is not None:
                            progress(len(batch), tokens)
        assert len(results) == len(requests), "every request belongs to exactly one group"
        return [results[index] for index in range(len(requests))]

    def _generate_batch(
        self,
        indices: list[int],
        *,
        prompts: dict[int, list[int]],
        config: GenerationConfig,
        prefix: SharedPrefix | None,
    ) -> list[GenerationResult]:
        """One ``generate_batch`` call for the requests ``indices``."""
        return generate_batch(
            self.model, self.tokenizer, [prompts[i] for i in indices], config, prefix=prefix
        )

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

    def _scored_batches(
        self, items: list[ScoringItem]
    ) -> Iterator[tuple[list[tuple[int, ItemScore]], int]]:
        """(item index, score) of the items each batch finishes, and the tokens it ran."""
        rows = plan_rows(items)
        if rows and self._via_decoder is None:
            # Decided once per model, on a few tokens of the shortest row (the cheapest check).
            self._via_decoder = decoder_head_matches_model(self.model, list(rows[-1].input_ids[:8]))
        for length, group in self._shared_rows(rows, items):
            prefix = self._prefix(list(group[0].input_ids[:length])) if length else None
            offset = prefix.length if prefix is not None else 0
            run = partial(self._score_batch, items=items, prefix=prefix)
            widths = [len(row.input_ids) - offset for row in group]
            for first, batch in enumerate(self._batches(group, widths, self.max_batch_tokens)):
                done = self._halving_on_oom(batch, run)
                tokens = sum(len(row.input_ids) - offset for row in batch)
                tokens += offset if first == 0 else 0  # the prefix runs once per group
                self.tokens_processed += tokens
                yield done, tokens
        unscored = [
            (index, ItemScore(0.0, True)) for index, item in enumerate(items) if not item.targets
        ]
        if unscored:
            yield unscored, 0  # nothing to predict: log-probability 0, trivially greedy

    def _shared_rows(
        self, rows: list[ScoringRow], items: list[ScoringItem]
    ) -> list[tuple[int, list[ScoringRow]]]:
        """(shared prefix length, rows longest first) per group; length 0 shares nothing.

        A row may share no more than the positions before its first scored one, so every
        scored hidden state comes out of the batch's own forward pass.
        """
        if not self.prefix_reuse or len(rows) < 2:
            return [(0, rows)] if rows else []
        limits = [
            min(len(items[m].input_ids) - len(items[m].targets) for m in row.members)
            for row in rows
        ]
        planned = plan_prefix_groups(
            [row.input_ids for row in rows],
            limits,
            min_prefix=MIN_SHARED_PREFIX,
            overhead=PREFIX_OVERHEAD_TOKENS,
        )
        groups = [
            (group.prefix_length, sorted((rows[i] for i in group.members), key=_row_order))
            for group in planned
        ]
        groups.sort(key=lambda group: _row_order(group[1][0]))  # the longest row first
        return groups

    def _shared_prompts(
        self, indices: list[int], prompts: dict[int, list[int]], min_members: int | None = None
    ) -> list[tuple[int, list[int]]]:
        """(shared prefix length, request indices) per group of generation prompts.

        On the static path a group must fill a batch: a smaller one would add a batch, and
        every batch costs a whole decoding loop, far more than the prompt tokens it saves.
        Continuous batching has no such cost and passes ``min_members=2``.
        """
        if not self.prefix_reuse or len(indices) < 2:
            return [(0, indices)]
        planned = plan_prefix_groups(
            [prompts[i] for i in indices],
            [len(prompts[i]) - 1 for i in indices],  # the last prompt token starts generation
            min_prefix=MIN_SHARED_PREFIX,
            overhead=PREFIX_OVERHEAD_TOKENS,
            min_members=min_members or max(2, min(self._row_cap or len(indices), len(indices))),
        )
        return [(group.prefix_length, [indices[m] for m in group.members]) for group in planned]

    def _prefix(self, tokens: list[int]) -> SharedPrefix | None:
        """The keys and values of ``tokens``, or None (and prefix reuse off from now on) when
        the model's cache cannot be lent; the group then runs whole."""
        prefix = compute_prefix(self.model, tokens)
        if prefix is None:
            self.prefix_reuse = False
        return prefix

    def _batches(self, jobs: list[Job], widths: list[int], budget: int) -> Iterator[list[Job]]:
        """Consecutive batches of ``jobs`` (``widths`` positions each, longest first) within
        the row cap and ``budget`` padded positions; the cap is read afresh for every batch,
        so a halving after running out of memory holds for the batches that follow."""
        start = 0
        while start < len(jobs):
            count = rows_that_fit(
                widths[start],
                len(jobs) - start,
                max_rows=self._row_cap,
                max_tokens=budget,
            )
            yield jobs[start : start + count]
            start += count

    def _halving_on_oom(self, batch: list[Job], run: Callable[[list[Job]], list[Out]]) -> list[Out]:
        """``run(batch)``; when memory runs out, the two halves one after the other (and
        every later batch at most that size). A single row that does not fit is an error."""
        try:
            return run(batch)
        except (torch.OutOfMemoryError, RuntimeError) as exc:
            if len(batch) == 1 or not _is_out_of_memory(exc):
                raise
        # Outside the except block, so the failed attempt's tensors are already freed.
        half = len(batch) // 2
        self._row_cap = half if self._row_cap is None else min(self._row_cap, half)
        logger.warning("out of memory with %d rows in a batch; retrying with %d", len(batch), half)
        if self.model.device.type == "cuda":
            torch.cuda.empty_cache()
        return self._halving_on_oom(batch[:half], run) + self._halving_on_oom(batch[half:], run)

    def _score_batch(
        self, batch: list[ScoringRow], items: list[ScoringItem], prefix: SharedPrefix | None
    ) -> list[tuple[int, ItemScore]]:
        """One forward pass for ``batch`` (after ``prefix``, when given); the scores of every
        item its rows serve."""
        device = self.model.device
        pad_id = self.tokenizer.pad_token_id
        offset = prefix.length if prefix is not None else 0
        input_ids, attention_mask = _right_padded(
            [row.input_ids[offset:] for row in batch],
            self.prefix_token_id if pad_id is None else pad_id,
            device,
        )
        # Each (row, position) is computed once, however many members score it.
        slot: dict[tuple[int, int], int] = {}
        pairs: list[tuple[int, int]] = []  # (slot, target) of every scored token, member by member
        members = [member for row in batch for member in row.members]
        for b, row in enumerate(batch):
            for member in row.members:
                item = items[member]
                for position, target in zip(_scored_positions(item), item.targets, strict=True):
                    pairs.append((slot.setdefault((b, position - offset), len(slot)), target))
        scored = score_positions(
            self.model,
            input_ids,
            attention_mask,
            list(slot),
            pairs,
            via_decoder=bool(self._via_decoder),
            prefix=prefix,
        )
        done: list[tuple[int, ItemScore]] = []
        start = 0
        for member in members:
            end = start + len(items[member].targets)
            is_greedy = all(scored.argmax[pairs[k][0]] == pairs[k][1] for k in range(start, end))
            done.append((member, ItemScore(sum(scored.target_logprobs[start:end]), is_greedy)))
            start = end
        return done


def _plain_full_attention(model: Any) -> bool:
    """Whether the model's cache is plain full-attention layers, the only kind the
    continuous batch can pad, stack and trim (sliding-window and recurrent state cannot)."""
    return all(type(layer) is DynamicLayer for layer in DynamicCache(config=model.config).layers)


def _row_order(row: ScoringRow) -> tuple[int, tuple[int, ...]]:
    """Longest first, ties in token order (deterministic batches)."""
    return (-len(row.input_ids), row.input_ids)


def _is_out_of_memory(exc: BaseException) -> bool:
    """CUDA's OutOfMemoryError, or the CPU allocator's RuntimeError."""
    if isinstance(exc, torch.OutOfMemoryError):
        return True
    message = str(exc).lower()
    return "out of memory" in message or "can't allocate memory" in message


def _right_padded(
    rows: list[tuple[int, ...]], pad_id: int, device: torch.device
) -> tuple[torch.Tensor, torch.Tensor]:
    """Input ids and attention mask, padded on the right: causal attention never looks
    ahead, so the padding cannot change a real position's hidden state."""
    width = max(len(row) for row in rows)
    ids = [list(row) + [pad_id] * (width - len(row)) for row in rows]
    mask = [[1] * len(row) + [0] * (width - len(row)) for row in rows]
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
