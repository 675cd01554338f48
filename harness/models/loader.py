"""Resolve a model spec to a loaded causal LM and tokenizer.

A spec is one of, tried in this order:
- a packaged registry name (``smollm2-135m-instruct``, the default);
- ``tiny-random-llama[:k=v,...]``, a small random model for tests;
- a path to a ``.gguf`` file (converted once to a cached safetensors folder);
- a local Hugging Face folder (with ``config.json``);
- a Hub id (``org/name``), which works where the Hub is reachable.

A registered variant's id or name is not a source: the registry resolves it, given the
store to look in (:func:`harness.registry.load_model_or_variant`), and loads its source here.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from harness.errors import HarnessError, did_you_mean
from harness.models.gguf import SOURCE_FILE, ensure_converted
from harness.models.hashing import weights_hash
from harness.models.loaded import LoadedModel
from harness.models.packaged import PACKAGED_MODELS, packaged_file
from harness.models.tiny import TINY_PREFIX, build_tiny_llama, parse_tiny_options
from harness.paths import DEFAULT_MODEL

DTYPES = ("float32", "bfloat16", "float16")


def load_model(
    spec: str = DEFAULT_MODEL, *, dtype: str = "float32", device: str = "cpu"
) -> LoadedModel:
    """Load the model named by ``spec`` in eval mode, with its weights hash."""
    if dtype not in DTYPES:
        raise HarnessError(f"unknown dtype '{dtype}'; use one of {', '.join(DTYPES)}")
    spec = spec.strip()
    if spec in PACKAGED_MODELS:
        entry = PACKAGED_MODELS[spec]
        gguf = packaged_file(entry)
        folder = ensure_converted(gguf)
        return _from_folder(
            folder,
            spec=spec,
            name=entry.display_name,
            source=f"package:{entry.distribution}/{gguf.name}",
            dtype=dtype,
            device=device,
        )
    if spec == TINY_PREFIX or spec.startswith(TINY_PREFIX + ":"):
        return _tiny(spec, dtype=dtype, device=device)
    path = Path(spec).expanduser()
    if spec.endswith(".gguf"):
        if not path.is_file():
            raise HarnessError(f"GGUF file not found: {path}; check the path")
        folder = ensure_converted(path)
        return _from_folder(
            folder,
            spec=spec,
            name=path.stem,
            source=f"gguf:{path.resolve()}",
            dtype=dtype,
            device=device,
        )
    if path.is_dir():
        if not (path / "config.json").is_file():
            raise HarnessError(
                f"model folder {path} has no config.json; pass a Hugging Face model folder"
            )
        return _from_folder(
            path,
            spec=spec,
            name=path.name,
            source=f"folder:{path.resolve()}",
            dtype=dtype,
            device=device,
        )
    if _looks_like_hub_id(spec):
        return _from_hub(spec, dtype=dtype, device=device)
    raise HarnessError(
        f"unknown model '{spec}'{did_you_mean(spec, [*PACKAGED_MODELS, TINY_PREFIX])}; "
        f"use {', '.join(PACKAGED_MODELS)}, {TINY_PREFIX}, "
        "a .gguf file, a model folder, a Hub id (org/name) or a variant (`harness variants`)"
    )


def known_models() -> list[str]:
    """Registry names a user can pass without a path."""
    return [*PACKAGED_MODELS, TINY_PREFIX]


def _torch_dtype(dtype: str) -> Any:
    import torch

    return getattr(torch, dtype)


def _finish(
    model: Any,
    tokenizer: Any,
    *,
    spec: str,
    name: str,
    source: str,
    dtype: str,
    device: str,
    known_hash: str | None = None,
) -> LoadedModel:
    """Put the model in eval mode on ``device`` and describe it for provenance."""
    model.eval()
    model.to(device)
    if tokenizer.pad_token_id is None:
        # Batched scoring pads; the pad id never reaches a scored position.
        tokenizer.pad_token = tokenizer.eos_token
    config = model.config
    return LoadedModel(
        model=model,
        tokenizer=tokenizer,
        spec=spec,
        name=name,
        source=source,
        weights_hash=known_hash or weights_hash(model),
        n_parameters=sum(p.numel() for p in model.parameters()),
        dtype=dtype,
        device=device,
        details={
            "architecture": getattr(config, "model_type", "unknown"),
            "context_length": getattr(config, "max_position_embeddings", None),
            "vocab_size": getattr(config, "vocab_size", None),
            "tied_embeddings": bool(getattr(config, "tie_word_embeddings", False)),
        },
    )


def _from_folder(
    folder: Path, *, spec: str, name: str, source: str, dtype: str, device: str
) -> LoadedModel:
    from transformers import AutoModelForCausalLM, AutoTokenizer
    from transformers.utils import logging as transformers_logging

    # A cached folder loads in well under a second; its own progress bar is only noise.
    transformers_logging.disable_progress_bar()

    try:
        tokenizer = AutoTokenizer.from_pretrained(str(folder))
        model = AutoModelForCausalLM.from_pretrained(str(folder), dtype=_torch_dtype(dtype))
    except (OSError, ValueError) as exc:
        raise HarnessError(
            f"cannot load model from {folder} ({_first_line(exc)}); check the folder holds a causal LM"
        ) from None
    known_hash = None
    record = folder / SOURCE_FILE
    if dtype == "float32" and record.is_file():
        # The conversion stored the hash of exactly these float32 tensors; hashing again costs ~1 s.
        known_hash = json.loads(record.read_text()).get("weights_hash")
    return _finish(
        model,
        tokenizer,
        spec=spec,
        name=name,
        source=source,
        dtype=dtype,
        device=device,
        known_hash=known_hash,
    )


def _from_hub(hub_id: str, *, dtype: str, device: str) -> LoadedModel:
    from transformers import AutoModelForCausalLM, AutoTokenizer

    try:
        tokenizer = AutoTokenizer.from_pretrained(hub_id)
        model = AutoModelForCausalLM.from_pretrained(hub_id, dtype=_torch_dtype(dtype))
    except (OSError, ValueError) as exc:
        raise HarnessError(
            f"cannot load '{hub_id}' from the Hugging Face Hub ({_first_line(exc)}); "
            f"check the id and the network, or use a local folder or {DEFAULT_MODEL}"
        ) from None
    return _finish(
        model,
        tokenizer,
        spec=hub_id,
        name=hub_id,
        source=f"hub:{hub_id}",
        dtype=dtype,
        device=device,
    )


def _tiny(spec: str, *, dtype: str, device: str) -> LoadedModel:
    from transformers import AutoTokenizer

    options = parse_tiny_options(spec)
    folder = ensure_converted(packaged_file(PACKAGED_MODELS[DEFAULT_MODEL]))
    tokenizer = AutoTokenizer.from_pretrained(str(folder))
    model = build_tiny_llama(tokenizer, options).to(_torch_dtype(dtype))
    return _finish(
        model,
        tokenizer,
        spec=spec,
        name=spec,
        source=f"random:{json.dumps(options, sort_keys=True)}",
        dtype=dtype,
        device=device,
    )


def _looks_like_hub_id(spec: str) -> bool:
    parts = spec.split("/")
    return len(parts) == 2 and all(parts) and not spec.startswith((".", "~"))


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__
