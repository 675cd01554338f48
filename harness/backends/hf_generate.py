"""One batch of generation with a transformers causal LM: left padding, seeding, stop strings.

Prompts are left-padded so every row's next token comes from the last column;
``model.generate`` derives position ids from the attention mask, so a padded row continues
exactly as it would alone. A prompt prefix shared by every row can be passed with its cached
keys and values: each row is then the prefix, padding, and the row's own tokens; the mask
skips the padding in the middle and positions still count real tokens only. Every decoding
knob is set explicitly, because values left unset are filled from the model's
``generation_config.json`` (a checkpoint's default temperature, say) and the run would no
longer be described by the ``GenerationConfig`` it records.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import torch
from transformers import GenerationConfig as HFGenerationConfig
from transformers import StoppingCriteriaList

from harness.backends.generation_config import GenerationConfig
from harness.backends.prefix_cache import SharedPrefix
from harness.backends.requests import GenerationResult
from harness.backends.stop_sequences import StopOnText, cut_at_stop


def generate_batch(
    model: Any,
    tokenizer: Any,
    prompts: list[list[int]],
    config: GenerationConfig,
    *,
    prefix: SharedPrefix | None = None,
) -> list[GenerationResult]:
    """Continue each tokenised prompt under ``config``; rows stop on EOS or a stop string.

    With ``prefix``, every prompt starts with ``prefix.tokens`` and at least one more token;
    the prefix is not run again. Sampling draws from torch's global RNG: the caller seeds it
    (see ``seeded``).
    """
    eos_ids = eos_token_ids(model, tokenizer)
    pad_id = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else (eos_ids or [0])[0]
    shared = prefix.tokens if prefix is not None else []
    if any(p[: len(shared)] != shared or len(p) <= len(shared) for p in prompts):
        raise ValueError("every prompt must extend the shared prefix by at least one token")
    own = [p[len(shared) :] for p in prompts]
    width = len(shared) + max(len(tokens) for tokens in own)
    input_ids = torch.tensor(
        [shared + [pad_id] * (width - len(p)) + t for p, t in zip(prompts, own, strict=True)],
        dtype=torch.long,
        device=model.device,
    )
    attention_mask = torch.tensor(
        [
            [1] * len(shared) + [0] * (width - len(p)) + [1] * len(t)
            for p, t in zip(prompts, own, strict=True)
        ],
        dtype=torch.long,
        device=model.device,
    )
    cache = {} if prefix is None else {"past_key_values": prefix.for_generation(len(prompts))}
    stop_on_text = StopOnText(tokenizer, config.stop, prompt_width=width, batch_size=len(prompts))
    output = model.generate(
        input_ids=input_ids,
        attention_mask=attention_mask,
        generation_config=_hf_generation_config(config, eos_ids=eos_ids, pad_id=pad_id),
        stopping_criteria=StoppingCriteriaList([stop_on_text]),
        **cache,
    )
    results = []
    for row, stopped_at in enumerate(stop_on_text.stopped_at):
        generated = output[row, width:].tolist()
        end = next((i for i, token in enumerate(generated) if token in eos_ids), len(generated))
        if stopped_at is not None:
            end = min(end, stopped_at)
        text = tokenizer.decode(generated[:end], skip_special_tokens=True)
        results.append(GenerationResult(text=cut_at_stop(text, config.stop), n_tokens=end))
    return results


@contextmanager
def seeded(seed: int, device: torch.device) -> Iterator[None]:
    """A private RNG stream started from ``seed``, the caller's RNG state restored afterwards.

    One stream per group of requests, not per batch: restarting it every batch would give
    every batch the same random draws, correlating samples across items.
    """
    devices = [device] if device.type == "cuda" else []
    with torch.random.fork_rng(devices=devices):
        torch.manual_seed(seed)
        yield


def _hf_generation_config(
    config: GenerationConfig, *, eos_ids: list[int], pad_id: int
) -> HFGenerationConfig:
    """A transformers config that leaves nothing to the checkpoint's defaults."""
    if config.do_sample:
        # top_k=0 and top_p=1.0 switch those filters off; None would mean "model default".
        sampling: dict[str, Any] = {
            "temperature": config.temperature,
            "top_k": config.top_k or 0,
            "top_p": config.top_p if config.top_p is not None else 1.0,
        }
    else:
        # Unused when greedy; transformers' neutral values, so it warns about none of them.
        sampling = {"temperature": 1.0, "top_k": 50, "top_p": 1.0}
    return HFGenerationConfig(
        max_new_tokens=config.max_new_tokens,
        do_sample=config.do_sample,
        num_beams=1,
        repetition_penalty=1.0,
        no_repeat_ngram_size=0,
        min_new_tokens=0,
        eos_token_id=eos_ids or None,
        pad_token_id=pad_id,
        **sampling,
    )


def eos_token_ids(model: Any, tokenizer: Any) -> list[int]:
    """Every id that ends a generation: the model's (chat models often list several), else the tokenizer's."""
    configured = getattr(model.generation_config, "eos_token_id", None)
    if configured is None:
        configured = tokenizer.eos_token_id
    if configured is None:
        return []
    return [int(configured)] if isinstance(configured, int) else [int(i) for i in configured]
