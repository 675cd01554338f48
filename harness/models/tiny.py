"""A tiny randomly initialised Llama with a real tokenizer, so tests run real code fast.

The tokenizer is SmolLM2's (taken from its cached conversion), so tokenisation in tests is
the same as on the real model; only the weights are small and random. The spec
``tiny-random-llama`` accepts options after a colon: ``tiny-random-llama:seed=3,layers=2,
hidden=32,tied=false``.
"""

from __future__ import annotations

from typing import Any

from harness.errors import HarnessError

TINY_PREFIX = "tiny-random-llama"
_DEFAULTS: dict[str, int | bool] = {
    "seed": 0,
    "layers": 2,
    "hidden": 64,
    "heads": 4,
    "kv_heads": 2,
    "intermediate": 128,
    "tied": True,
}


def parse_tiny_options(spec: str) -> dict[str, int | bool]:
    """The options of a ``tiny-random-llama[:k=v,...]`` spec, defaults filled in."""
    _, _, rest = spec.partition(":")
    options = dict(_DEFAULTS)
    for part in filter(None, (p.strip() for p in rest.split(","))):
        key, sep, raw = part.partition("=")
        if not sep or key not in _DEFAULTS:
            raise HarnessError(
                f"bad tiny model option '{part}' in '{spec}'; known: "
                + ", ".join(f"{k}=<{type(v).__name__}>" for k, v in _DEFAULTS.items())
            )
        if isinstance(_DEFAULTS[key], bool):
            options[key] = raw.strip().lower() in {"1", "true", "yes"}
        else:
            try:
                options[key] = int(raw)
            except ValueError:
                raise HarnessError(
                    f"tiny model option '{key}' needs an integer, got '{raw}'"
                ) from None
    if int(options["hidden"]) > 64:
        raise HarnessError("tiny model hidden size must be at most 64; use a real model for more")
    return options


def build_tiny_llama(tokenizer: Any, options: dict[str, int | bool]) -> Any:
    """A LlamaForCausalLM with random weights from ``seed``, sized by ``options``."""
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    config = LlamaConfig(
        vocab_size=len(tokenizer),
        hidden_size=int(options["hidden"]),
        intermediate_size=int(options["intermediate"]),
        num_hidden_layers=int(options["layers"]),
        num_attention_heads=int(options["heads"]),
        num_key_value_heads=int(options["kv_heads"]),
        max_position_embeddings=2048,
        tie_word_embeddings=bool(options["tied"]),
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
    )
    torch.manual_seed(int(options["seed"]))
    model = LlamaForCausalLM(config)
    model.eval()
    return model
