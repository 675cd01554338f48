"""The fine-tuning loop, on one screen: shuffled batches, cross-entropy, AdamW, linear decay."""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Any

import torch
from torch import nn

from harness.toxicity.config import ClassifierConfig
from harness.toxicity.data import Example
from harness.toxicity.network import PooledClassifier, encode


def train(
    network: PooledClassifier,
    tokenizer: Any,
    examples: Sequence[Example],
    config: ClassifierConfig,
    *,
    progress: bool = True,
) -> list[float]:
    """Fine-tune ``network`` in place on ``examples``; returns the loss of every step.

    The head learns faster than the pretrained layers (``head_learning_rate``): it starts
    from random weights, they start from a good sentence embedding.
    """
    from tqdm import tqdm

    torch.manual_seed(config.train_seed)
    rng = random.Random(config.train_seed)
    head = list(network.head.parameters())
    body = [p for p in network.encoder.parameters() if p.requires_grad]
    groups = [{"params": head, "lr": config.head_learning_rate}]
    if body:
        groups.append({"params": body, "lr": config.learning_rate})
    optimizer = torch.optim.AdamW(groups, weight_decay=0.01)
    steps_per_epoch = -(-len(examples) // config.batch_size)
    total = steps_per_epoch * config.epochs
    warmup = max(1, total // 10)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer,
        lambda step: min((step + 1) / warmup, max(0.0, (total - step) / (total - warmup + 1))),
    )
    loss_fn = nn.CrossEntropyLoss()
    device = next(network.parameters()).device
    network.train()
    losses: list[float] = []
    bar = tqdm(total=total, desc="training toxicity classifier", unit="step", disable=not progress)
    order = list(range(len(examples)))
    for _ in range(config.epochs):
        rng.shuffle(order)
        for start in range(0, len(order), config.batch_size):
            rows = [examples[i] for i in order[start : start + config.batch_size]]
            batch = encode(tokenizer, [ex.text for ex in rows], config.max_length)
            labels = torch.tensor([ex.label for ex in rows], dtype=torch.long, device=device)
            logits = network(**{k: v.to(device) for k, v in batch.items()})
            loss = loss_fn(logits, labels)
            loss.backward()
            optimizer.step()
            schedule.step()
            optimizer.zero_grad(set_to_none=True)
            losses.append(loss.item())
            bar.update(1)
            bar.set_postfix_str(f"loss {sum(losses[-20:]) / len(losses[-20:]):.3f}", refresh=False)
    bar.close()
    network.eval()
    return losses
