"""Attend grouped key/value heads in place on CPU instead of copying them per query head.

With grouped-query attention (SmolLM2: 9 query heads share 3 key/value heads), transformers'
SDPA path copies every key and value head once per query head in its group (``repeat_kv``)
whenever an attention mask is present, which is always the case for padded batches and for
rows continuing a shared prefix. Against a prefix of 700 tokens those copies cost about a
fifth of a batch's time on CPU. PyTorch's CPU attention kernel reads grouped heads itself
(``enable_gqa``), which transformers uses when ``TRANSFORMERS_SDPA_FORCE_GQA`` is set; on
GPUs it keeps its own choice, since some kernels there fall back to a slow path with a mask.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

import torch

_FLAG = "TRANSFORMERS_SDPA_FORCE_GQA"


@contextmanager
def grouped_kv_attention(device: torch.device) -> Iterator[None]:
    """Within the block, SDPA on ``device`` attends grouped key/value heads without copies
    (CPU only; elsewhere, and where the variable is already set, nothing changes)."""
    if device.type != "cpu" or _FLAG in os.environ:
        yield
        return
    os.environ[_FLAG] = "1"
    try:
        yield
    finally:
        os.environ.pop(_FLAG, None)
