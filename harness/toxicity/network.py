"""The classifier network: the MiniLM encoder, mean pooling over real tokens, a linear head.

Mean pooling is how all-MiniLM-L6-v2 was trained to embed sentences (its ``1_Pooling``
config), so the pooled vector is meaningful before any fine-tuning; a CLS-token head
(``AutoModelForSequenceClassification``) would start from an untrained pooler.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import torch
from torch import nn

N_LABELS = 3


class PooledClassifier(nn.Module):
    """Encoder + masked mean pooling + linear head over the three labels."""

    def __init__(self, encoder: nn.Module, hidden_size: int) -> None:
        super().__init__()
        self.encoder = encoder
        self.head = nn.Linear(hidden_size, N_LABELS)

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        hidden = self.encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
        mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
        pooled = (hidden * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1.0)
        logits: torch.Tensor = self.head(pooled)
        return logits


def load_network(folder: Path, *, trainable_layers: int, seed: int) -> tuple[PooledClassifier, Any]:
    """The encoder from ``folder`` with a fresh head (seeded), and its tokenizer.

    Only the top ``trainable_layers`` transformer layers and the head keep gradients; with
    the embeddings frozen, autograd records nothing below the first trainable layer, so
    frozen layers cost a forward pass only.
    """
    from transformers import AutoModel, AutoTokenizer
    from transformers.utils import logging as transformers_logging

    transformers_logging.disable_progress_bar()
    verbosity = transformers_logging.get_verbosity()
    # The checkpoint's CLS pooler is left out on purpose; its "unexpected keys" report is noise.
    transformers_logging.set_verbosity_error()
    try:
        tokenizer = AutoTokenizer.from_pretrained(folder)
        encoder = AutoModel.from_pretrained(folder, add_pooling_layer=False)
    finally:
        transformers_logging.set_verbosity(verbosity)
    torch.manual_seed(seed)
    network = PooledClassifier(encoder, encoder.config.hidden_size)
    layers = encoder.encoder.layer
    for name, parameter in encoder.named_parameters():
        parameter.requires_grad = False
        for index in range(max(0, len(layers) - trainable_layers), len(layers)):
            if name.startswith(f"encoder.layer.{index}."):
                parameter.requires_grad = True
    return network, tokenizer


def trained_state(network: PooledClassifier) -> dict[str, torch.Tensor]:
    """The parameters training changed (top layers and head): all a cache entry stores."""
    return {
        name: parameter.detach().contiguous().clone()
        for name, parameter in network.named_parameters()
        if parameter.requires_grad
    }


def encode(tokenizer: Any, texts: Sequence[str], max_length: int) -> dict[str, torch.Tensor]:
    """Token ids and attention mask, padded to the batch's longest text."""
    batch = tokenizer(
        list(texts), padding=True, truncation=True, max_length=max_length, return_tensors="pt"
    )
    return {"input_ids": batch["input_ids"], "attention_mask": batch["attention_mask"]}


def predict_probabilities(
    network: PooledClassifier,
    tokenizer: Any,
    texts: Sequence[str],
    *,
    max_length: int,
    batch_size: int = 64,
    progress: bool = False,
) -> torch.Tensor:
    """Softmax probabilities, one row per text in input order; batched by length, no grad."""
    from tqdm import tqdm

    device = next(network.parameters()).device
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    out = torch.empty((len(texts), N_LABELS), dtype=torch.float32)
    was_training = network.training
    network.eval()
    starts = range(0, len(order), batch_size)
    with torch.no_grad():
        for start in tqdm(starts, desc="scoring", unit="batch", disable=not progress):
            rows = order[start : start + batch_size]
            batch = encode(tokenizer, [texts[i] for i in rows], max_length)
            logits = network(**{k: v.to(device) for k, v in batch.items()})
            out[rows] = torch.softmax(logits.float(), dim=-1).cpu()
    network.train(was_training)
    return out
