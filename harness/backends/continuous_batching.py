"""Continuous batching: one decoding loop for every generation request of a call.

A static batch runs until its longest row ends, so most of its rows idle for most of its
steps (a chain-of-thought answer that stops after 40 tokens waits for one that runs 256).
Here a row leaves the batch the step it finishes (EOS, a stop string, its token limit) and
a waiting prompt takes its place: the newcomers are prefilled on their own (after a shared
prefix's cached keys and values when they have one), left-padded to the batch's cache
width, and concatenated to the batch. Every row keeps its own attention mask and position
ids, computed as ``model.generate`` computes them, so a row decodes as it would alone and
greedy outputs equal ``model.generate``'s (tests hold them to it).

The keys and values live in a preallocated buffer written in place (``_GrowingLayer``), so a
step does not copy the whole cache as ``DynamicCache``'s concatenation does. Sampling draws
from a generator per request, seeded from the config's seed and the request's own content
(its prompt tokens, and which occurrence of an identical request it is), so a request's
sample depends neither on which other requests shared its steps nor on how the requests were
split between processes (Ray replicas) or calls.

A shared prefix is computed when its first member is admitted and dropped when its last one
finishes (:class:`LazyPrefix`), so a stream of many tasks, each with its own few-shot block,
holds only the prefixes of the rows running.
"""

from __future__ import annotations

import hashlib
import inspect
from collections import deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import torch
from transformers import DynamicCache
from transformers.cache_utils import DynamicLayer
from transformers.generation.logits_process import (
    LogitsProcessorList,
    TemperatureLogitsWarper,
    TopKLogitsWarper,
    TopPLogitsWarper,
)

from harness.backends.generation_config import GenerationConfig
from harness.backends.prefix_cache import SharedPrefix
from harness.backends.requests import GenerationResult
from harness.backends.stop_sequences import TailStopCheck, cut_at_stop

CACHE_GROWTH = 256  # positions added to the key/value buffers whenever they fill up
MIN_COLUMNS_CUT = 256  # unused leading columns are cut off (a copy) from this many on


class LazyPrefix:
    """A token prefix shared by ``members`` jobs: its keys and values are computed (by
    ``compute``) when the first member is admitted and let go when the last one finishes.

    ``compute`` may return None (the model's cache cannot be lent): the members then run
    their whole prompts. The prefix's tokens are counted once, with the first member that
    finishes (``unpaid``).
    """

    def __init__(
        self,
        tokens: list[int],
        members: int,
        compute: Callable[[list[int]], SharedPrefix | None],
    ) -> None:
        self.tokens = tokens
        self._left = members
        self._compute: Callable[[list[int]], SharedPrefix | None] | None = compute
        self._prefix: SharedPrefix | None = None
        self.unpaid = len(tokens)

    def get(self) -> SharedPrefix | None:
        """The computed prefix (computed now if it was not yet), or None if it cannot be."""
        if self._compute is not None:
            self._prefix, self._compute = self._compute(self.tokens), None
            if self._prefix is None:
                self.unpaid = 0
        return self._prefix

    def member_finished(self) -> int:
        """Note that one member is done; the prefix's tokens if they are still unpaid."""
        self._left -= 1
        if self._left == 0:
            self._prefix = None
        paid, self.unpaid = self.unpaid, 0
        return paid


@dataclass
class GenerationJob:
    """One request, tokenised: its prompt, its config, the prefix it shares (if any) and the
    seed of its private sampling stream."""

    prompt: list[int]
    config: GenerationConfig
    seed: int
    prefix: LazyPrefix | None = None


Finished = tuple[int, GenerationResult, int]  # (job index, result, tokens run)


@dataclass
class _Row:
    job: int
    config: GenerationConfig
    stop: TailStopCheck
    generator: torch.Generator | None
    warpers: LogitsProcessorList | None
    prompt_tokens: int  # tokens this row ran through the model itself (not its shared prefix)
    generated: list[int] = field(default_factory=list)


@torch.inference_mode()
def generate_continuously(
    model: Any,
    tokenizer: Any,
    jobs: Mapping[int, GenerationJob],
    order: Sequence[int],
    *,
    max_rows: int | None,
    max_tokens: int,
    eos_ids: list[int],
    pad_id: int,
) -> Iterator[Finished]:
    """Generate every job in ``order`` (admission order), at most ``max_rows`` rows and about
    ``max_tokens`` prompt-plus-new-token positions at a time; yield each job as it ends, with
    the tokens it ran (a shared prefix counted with its first member to finish). Jobs with
    the same ``prefix`` object share its cached keys and values."""
    waiting = deque(order)
    slots: list[_Row | None] = []  # one per batch row; None: finished, its row not yet reused
    batch = _Batch(model, pad_id)
    logits = torch.empty(0, 0)
    eos = set(eos_ids)
    while True:
        running = [row for row in slots if row is not None]
        admitted = _admit(waiting, running, jobs, max_rows, max_tokens)
        if admitted:
            new_jobs = [jobs[i] for i in admitted]
            free = [slot for slot, row in enumerate(slots) if row is None]
            # Prefills the newcomers (computing the prefixes they need first) into free rows.
            placed, new_logits = batch.add(new_jobs, free)
            logits = batch.spread(logits, placed, new_logits)
            for slot, index, job in zip(placed, admitted, new_jobs, strict=True):
                slots += [None] * (slot + 1 - len(slots))
                slots[slot] = _new_row(index, job, tokenizer, model.device)
        if not any(row is not None for row in slots):
            break
        slots, logits = _drop_idle(batch, slots, logits)
        tokens = _next_tokens(slots, logits)
        for slot, (row, token) in enumerate(zip(slots, tokens, strict=True)):
            if row is None:
                continue
            end = _finish(row, token, eos)
            if end is None:
                continue
            slots[slot] = None
            kept = row.generated[:end]
            text = tokenizer.decode(kept, skip_special_tokens=True)
            result = GenerationResult(text=cut_at_stop(text, row.config.stop), n_tokens=end)
            prefix = jobs[row.job].prefix
            paid = prefix.member_finished() if prefix is not None else 0
            yield row.job, result, row.prompt_tokens + end + paid
        if any(row is not None for row in slots):
            fed = [[row.generated[-1] if row is not None else pad_id] for row in slots]
            logits = batch.step(torch.tensor(fed, device=model.device))


def _drop_idle(
    batch: _Batch, slots: list[_Row | None], logits: torch.Tensor
) -> tuple[list[_Row | None], torch.Tensor]:
    """Remove the batch rows that no request took over, when that pays.

    A finished request's row is taken over, in place, by the next request admitted, so the
    batch's keys and values are not copied each time a request ends. A row left idle after
    admission (nothing waits, or the token budget is spent) costs a row of compute per step;
    removing rows copies the whole cache (about a step's time), so it is done once a quarter
    of the rows are idle.
    """
    idle = sum(row is None for row in slots)
    if idle == 0 or idle * 4 < len(slots):
        return slots, logits
    keep = [slot for slot, row in enumerate(slots) if row is not None]
    batch.select(keep)
    index = torch.tensor(keep, dtype=torch.long, device=logits.device)
    return [slots[k] for k in keep], logits.index_select(0, index)


def row_seed(seed: int, prompt: Sequence[int], occurrence: int) -> int:
    """The sampling seed of one request: from the config's seed, the prompt's tokens and the
    request's ``occurrence`` among identical requests of the call (so equal requests draw
    distinct samples). Independent of the request's position, hence of batching and sharding."""
    text = f"{seed}:{occurrence}:{','.join(map(str, prompt))}"
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big") >> 1


def _admit(
    waiting: deque[int],
    rows: Sequence[_Row],
    jobs: Mapping[int, GenerationJob],
    max_rows: int | None,
    max_tokens: int,
) -> list[int]:
    """Waiting jobs that fit beside ``rows``: within the row cap and the position budget
    (each row counted at its prompt plus its token limit); always one when none runs."""
    used = sum(len(jobs[row.job].prompt) + row.config.max_new_tokens for row in rows)
    admitted: list[int] = []
    while waiting and (max_rows is None or len(rows) + len(admitted) < max_rows):
        job = jobs[waiting[0]]
        width = len(job.prompt) + job.config.max_new_tokens
        if used + width > max_tokens and (rows or admitted):
            break
        admitted.append(waiting.popleft())
        used += width
    return admitted


def _new_row(index: int, job: GenerationJob, tokenizer: Any, device: torch.device) -> _Row:
    config = job.config
    generator = warpers = None
    if config.do_sample:
        generator = torch.Generator(device=device).manual_seed(job.seed)
        # transformers' own warpers, in the order ``model.generate`` applies them.
        warpers = LogitsProcessorList()
        if config.temperature != 1.0:
            warpers.append(TemperatureLogitsWarper(config.temperature))
        if config.top_k:
            warpers.append(TopKLogitsWarper(config.top_k))
        if config.top_p is not None and config.top_p < 1.0:
            warpers.append(TopPLogitsWarper(config.top_p))
    shared = job.prefix.get() if job.prefix is not None else None
    own = len(job.prompt) - (shared.length if shared is not None else 0)
    return _Row(index, config, TailStopCheck(tokenizer, config.stop), generator, warpers, own)


def _next_tokens(rows: Sequence[_Row | None], logits: torch.Tensor) -> list[int]:
    """Greedy rows take the argmax (as ``model.generate`` does, on float32 logits); sampling
    rows draw from their warped distribution with their own generator (idle rows: ignored).

    Sampling rows of one config are warped together (the warpers work row by row, so a row's
    distribution is the one it would get alone; a top-p sort per row and step is the costly
    part); each then draws with its own generator.
    """
    scores = logits.float()
    tokens = scores.argmax(dim=-1).tolist()
    sampling: dict[GenerationConfig, list[int]] = {}
    for position, row in enumerate(rows):
        if row is not None and row.generator is not None:
            sampling.setdefault(row.config, []).append(position)
    for positions in sampling.values():
        warpers = rows[positions[0]].warpers  # type: ignore[union-attr]  # a sampling row
        assert warpers is not None
        no_ids: Any = torch.empty(len(positions), 0, dtype=torch.long)  # never read
        index = torch.tensor(positions, dtype=torch.long, device=scores.device)
        probs = torch.softmax(warpers(no_ids, scores.index_select(0, index)), dim=-1)
        for number, position in enumerate(positions):
            generator = rows[position].generator  # type: ignore[union-attr]
            draw = torch.multinomial(probs[number : number + 1], 1, generator=generator)
            tokens[position] = int(draw)
    return tokens


def _finish(row: _Row, token: int, eos: set[int]) -> int | None:
    """Append ``token``; how many tokens the row keeps when it is done, else None."""
    if token in eos:
        return len(row.generated)  # the EOS token itself is not kept
    row.generated.append(token)
    if row.stop.found(row.generated):
        return len(row.generated)
    if len(row.generated) >= row.config.max_new_tokens:
        return len(row.generated)
    return None


class _Batch:
    """The running rows' keys and values (left-padded to one width), attention mask and
    next positions."""

    def __init__(self, model: Any, pad_id: int) -> None:
        self.model = model
        self.pad_id = pad_id
        self.cache: DynamicCache | None = None
        # transformers 5.2x renamed ``past_key_values`` to ``cache`` (the old name warns).
        parameters = inspect.signature(model.forward).parameters
        self.cache_argument = "cache" if "cache" in parameters else "past_key_values"
        self.mask = torch.zeros(0, 0, dtype=torch.long, device=model.device)

    def add(self, jobs: list[GenerationJob], free: Sequence[int]) -> tuple[list[int], torch.Tensor]:
        """Prefill ``jobs`` (grouped by shared prefix) and put each in a ``free`` row (in
        place) or, when none is left, in a new row at the end; each one's row, and the logits
        of its last prompt token, in order."""
        placed: list[int] = []
        logits = []
        free = list(free) if self.cache is not None else []
        appended: list[tuple[list[tuple[torch.Tensor, torch.Tensor]], torch.Tensor]] = []
        next_row = self.mask.shape[0] if self.cache is not None else 0
        start = 0
        while start < len(jobs):
            end = start + 1
            while end < len(jobs) and jobs[end].prefix is jobs[start].prefix:
                end += 1
            layers, mask, group_logits = self._prefill(jobs[start:end])
            reused, free = free[: end - start], free[end - start :]
            if reused:
                self._place(layers, mask, reused)
            rest = end - start - len(reused)
            if rest:
                appended.append(([(k[-rest:], v[-rest:]) for k, v in layers], mask[-rest:]))
            placed += reused + list(range(next_row, next_row + rest))
            next_row += rest
            logits.append(group_logits)
            start = end
        if appended:  # stacked, then joined once: a join copies the whole cache
            self._join(*_stacked(appended))
        return placed, torch.cat(logits)

    def spread(self, logits: torch.Tensor, placed: list[int], new: torch.Tensor) -> torch.Tensor:
        """The logits of every batch row: ``new`` at the rows ``placed``, ``logits`` (the
        rows there before) elsewhere."""
        out = new.new_empty(self.mask.shape[0], new.shape[1])
        if logits.numel():
            out[: logits.shape[0]] = logits
        out[torch.tensor(placed, dtype=torch.long, device=new.device)] = new
        return out

    def _prefill(
        self, jobs: list[GenerationJob]
    ) -> tuple[list[tuple[torch.Tensor, torch.Tensor]], torch.Tensor, torch.Tensor]:
        """Run ``jobs``' prompts (after their shared prefix's cached keys and values); their
        keys and values, attention mask and last-token logits."""
        prefix = jobs[0].prefix.get() if jobs[0].prefix is not None else None
        shared = prefix.length if prefix is not None else 0
        own = [job.prompt[shared:] for job in jobs]
        width = max(len(tokens) for tokens in own)
        device = self.model.device
        input_ids = torch.tensor(
            [[self.pad_id] * (width - len(t)) + t for t in own], dtype=torch.long, device=device
        )
        mask = torch.tensor(
            [[1] * shared + [0] * (width - len(t)) + [1] * len(t) for t in own],
            dtype=torch.long,
            device=device,
        )
        # As ``model.generate`` derives them: real tokens count from 0, padding sits at 1.
        positions = (mask.cumsum(-1) - 1).masked_fill(mask == 0, 1)[:, shared:]
        cache = prefix.for_generation(len(jobs)) if prefix is not None else DynamicCache()
        output = self.model(
            input_ids=input_ids,
            attention_mask=mask,
            position_ids=positions,
            **{self.cache_argument: cache},
            use_cache=True,
            logits_to_keep=1,
        )
        return _states(cache), mask, output.logits[:, -1, :]

    def _place(
        self, layers: list[tuple[torch.Tensor, torch.Tensor]], mask: torch.Tensor, rows: list[int]
    ) -> None:
        """Write newcomers' keys and values into the batch rows ``rows``, in their last
        columns (the columns before them are masked), widening the batch if they are wider."""
        if mask.shape[1] > self.mask.shape[1]:
            self._widen(mask.shape[1])
        width, count = self.mask.shape[1], len(rows)
        index = torch.tensor(rows, dtype=torch.long, device=self.mask.device)
        assert self.cache is not None
        for layer, (keys, values) in zip(self.cache.layers, layers, strict=True):
            assert isinstance(layer, _GrowingLayer)
            layer.write_rows(index, keys[:count], values[:count])
        self.mask[index] = _left_pad_mask(mask[:count], width)

    def _widen(self, width: int) -> None:
        """Left-pad every row to ``width`` columns (copies the cache: rare, since the batch's
        width grows by a column a step and a newcomer is rarely wider)."""
        assert self.cache is not None
        self.cache = _growing_cache(
            [(_left_pad(k, width), _left_pad(v, width)) for k, v in _states(self.cache)]
        )
        self.mask = _left_pad_mask(self.mask, width)

    def _join(self, layers: list[tuple[torch.Tensor, torch.Tensor]], mask: torch.Tensor) -> None:
        """Left-pad the batch or the newcomers to a common width and stack them."""
        if self.cache is None or self.mask.shape[0] == 0:
            self.cache = _growing_cache(layers)
            self.mask = mask
            return
        old_width, new_width = self.mask.shape[1], mask.shape[1]
        width = max(old_width, new_width)
        old = _states(self.cache)
        self.cache = _growing_cache(
            [
                (
                    torch.cat([_left_pad(ok, width), _left_pad(nk, width)]),
                    torch.cat([_left_pad(ov, width), _left_pad(nv, width)]),
                )
                for (ok, ov), (nk, nv) in zip(old, layers, strict=True)
            ]
        )
        self.mask = torch.cat([_left_pad_mask(self.mask, width), _left_pad_mask(mask, width)])

    def select(self, keep: list[int]) -> None:
        """Keep only the rows ``keep``, and drop leading columns that are padding in all."""
        assert self.cache is not None
        if not keep:
            self.cache = None
            self.mask = self.mask[:0, :0]
            return
        index = torch.tensor(keep, dtype=torch.long, device=self.mask.device)
        mask = self.mask.index_select(0, index)
        used = mask.any(dim=0).nonzero()
        first = int(used[0]) if used.numel() else mask.shape[1]
        self.mask = mask[:, first:]
        self.cache = _growing_cache(
            [
                (
                    keys.index_select(0, index)[:, :, first:],
                    values.index_select(0, index)[:, :, first:],
                )
                for keys, values in _states(self.cache)
            ]
        )

    def step(self, tokens: torch.Tensor) -> torch.Tensor:
        """Feed one token per row; the logits of the next. Leading columns that no row uses
        any more (rows taken over in place leave them behind) are cut off once they are a
        quarter of the width."""
        unused = int(self.mask.any(dim=0).int().argmax())
        if unused >= max(MIN_COLUMNS_CUT, self.mask.shape[1] // 4):
            self.select(list(range(self.mask.shape[0])))
        ones = torch.ones(self.mask.shape[0], 1, dtype=self.mask.dtype, device=self.mask.device)
        positions = self.mask.sum(dim=1, keepdim=True)
        self.mask = torch.cat([self.mask, ones], dim=1)
        output = self.model(
            input_ids=tokens,
            attention_mask=self.mask,
            position_ids=positions,
            **{self.cache_argument: self.cache},
            use_cache=True,
        )
        return output.logits[:, -1, :]


class _GrowingLayer(DynamicLayer):
    """A full-attention layer whose keys and values sit in a buffer with spare positions, so
    appending a token writes in place instead of copying the whole cache."""

    def __init__(self, keys: torch.Tensor, values: torch.Tensor) -> None:
        super().__init__()
        self.lazy_initialization(keys, values)
        self.length = keys.shape[-2]
        self._keys = _with_room(keys, self.length + CACHE_GROWTH)
        self._values = _with_room(values, self.length + CACHE_GROWTH)
        self.keys = self._keys[:, :, : self.length]
        self.values = self._values[:, :, : self.length]

    def update(
        self, key_states: torch.Tensor, value_states: torch.Tensor, *args: Any, **kwargs: Any
    ) -> tuple[torch.Tensor, torch.Tensor]:
        new = key_states.shape[-2]
        if self.length + new > self._keys.shape[-2]:
            room = self.length + new + CACHE_GROWTH
            self._keys = _with_room(self._keys[:, :, : self.length], room)
            self._values = _with_room(self._values[:, :, : self.length], room)
        self._keys[:, :, self.length : self.length + new] = key_states
        self._values[:, :, self.length : self.length + new] = value_states
        self.length += new
        self.keys = self._keys[:, :, : self.length]
        self.values = self._values[:, :, : self.length]
        return self.keys, self.values

    def get_seq_length(self) -> int:
        return self.length

    def write_rows(self, rows: torch.Tensor, keys: torch.Tensor, values: torch.Tensor) -> None:
        """Put ``keys``/``values`` in the last columns of the batch rows ``rows``."""
        width = keys.shape[-2]
        self._keys[rows, :, self.length - width : self.length] = keys
        self._values[rows, :, self.length - width : self.length] = values


def _stacked(
    parts: list[tuple[list[tuple[torch.Tensor, torch.Tensor]], torch.Tensor]],
) -> tuple[list[tuple[torch.Tensor, torch.Tensor]], torch.Tensor]:
    """Several groups' keys, values and masks, left-padded to one width and stacked."""
    if len(parts) == 1:
        return parts[0]
    width = max(mask.shape[1] for _, mask in parts)
    layers = [
        (
            torch.cat([_left_pad(layers[n][0], width) for layers, _ in parts]),
            torch.cat([_left_pad(layers[n][1], width) for layers, _ in parts]),
        )
        for n in range(len(parts[0][0]))
    ]
    return layers, torch.cat([_left_pad_mask(mask, width) for _, mask in parts])


def _states(cache: DynamicCache) -> list[tuple[torch.Tensor, torch.Tensor]]:
    """Each layer's keys and values (every layer here is a plain full-attention one)."""
    out = []
    for layer in cache.layers:
        assert isinstance(layer, DynamicLayer) and layer.keys is not None
        assert layer.values is not None
        out.append((layer.keys, layer.values))
    return out


def _growing_cache(layers: list[tuple[torch.Tensor, torch.Tensor]]) -> DynamicCache:
    cache = DynamicCache()
    cache.layers = [_GrowingLayer(keys, values) for keys, values in layers]
    return cache


def _with_room(states: torch.Tensor, room: int) -> torch.Tensor:
    """``states`` copied into a buffer of ``room`` positions (the rest uninitialised)."""
    batch, heads, length, dim = states.shape
    buffer = states.new_empty(batch, heads, room, dim)
    buffer[:, :, :length] = states
    return buffer


def _left_pad(states: torch.Tensor, width: int) -> torch.Tensor:
    missing = width - states.shape[-2]
    if missing == 0:
        return states
    batch, heads, _, dim = states.shape
    return torch.cat([states.new_zeros(batch, heads, missing, dim), states], dim=-2)


def _left_pad_mask(mask: torch.Tensor, width: int) -> torch.Tensor:
    missing = width - mask.shape[1]
    if missing == 0:
        return mask
    return torch.cat([mask.new_zeros(mask.shape[0], missing), mask], dim=1)
