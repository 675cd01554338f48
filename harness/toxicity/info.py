"""What a built classifier is: its cache key, what it was trained from, how it did held out."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from harness.toxicity.config import ClassifierConfig


class ClassifierInfo(BaseModel):
    """Stored as ``info.json`` beside the weights; printed by the build command.

    ``metrics`` are on the held-out split: toxic-vs-non-toxic ``precision``, ``recall``,
    ``f1``, ``roc_auc``, ``accuracy`` (toxic = ``1 - P(neither) >= 0.5``) and the 3-way
    ``accuracy_3way`` and ``f1_macro_3way``.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    hash: str
    config: ClassifierConfig
    encoder: str
    encoder_hash: str
    data_hash: str
    n_train: int
    n_heldout: int
    train_label_counts: dict[str, int]
    heldout_label_counts: dict[str, int]
    metrics: dict[str, float]
    train_seconds: float
    final_loss: float
