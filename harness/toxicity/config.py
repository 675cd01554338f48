"""The knobs of the toxicity classifier's training run, hashed into its cache key."""

from __future__ import annotations

import hashlib

from pydantic import BaseModel, ConfigDict, Field


class ClassifierConfig(BaseModel):
    """How the classifier is trained. Every field changes the cache key.

    Defaults keep a build to a few minutes on two shared CPU cores: a class-balanced cap on
    training examples, 64-token inputs, one epoch, and only the top encoder layers trained
    (the lower ones run without gradients, which is where most of the time would go).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    max_length: int = Field(default=64, ge=8)
    # At most this many Davidson training tweets per 3-way label (hate / offensive /
    # neither), drawn with ``sample_seed``; the held-out split is never capped.
    per_label_cap: int = Field(default=1000, ge=1)
    # ToxiGen's seed sentences appear this many times in the training set. They are few
    # (about 600) but they are the only benign sentences that name identity groups; without
    # the weight the tweets teach that "women" or "muslims" alone means toxic.
    toxigen_repeats: int = Field(default=3, ge=1)
    heldout_percent: int = Field(default=10, ge=1, le=50)
    split_seed: int = 0
    sample_seed: int = 0
    train_seed: int = 0
    epochs: int = Field(default=1, ge=1)
    batch_size: int = Field(default=32, ge=1)
    learning_rate: float = Field(default=1e-4, gt=0.0)
    head_learning_rate: float = Field(default=2e-3, gt=0.0)
    # How many of the encoder's top transformer layers are fine-tuned (0: only the head).
    trainable_layers: int = Field(default=2, ge=0)

    def content_hash(self) -> str:
        """sha256 of the config's canonical JSON."""
        return hashlib.sha256(self.model_dump_json().encode()).hexdigest()


DEFAULT_CONFIG = ClassifierConfig()
