"""The trained classifier as the rest of the harness uses it: texts in, toxicity out."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from harness.toxicity.data import NEITHER, normalise
from harness.toxicity.info import ClassifierInfo
from harness.toxicity.network import PooledClassifier, predict_probabilities


class ToxicityClassifier:
    """Scores texts with the fine-tuned encoder; ``info`` says what it is and how well it did."""

    def __init__(self, network: PooledClassifier, tokenizer: Any, info: ClassifierInfo) -> None:
        self.network = network.eval()
        self.tokenizer = tokenizer
        self.info = info

    def probabilities(
        self, texts: Sequence[str], *, batch_size: int = 64, progress: bool = False
    ) -> np.ndarray:
        """3-way probabilities (hate, offensive, neither), one row per text."""
        if len(texts) == 0:
            return np.zeros((0, 3), dtype=np.float64)
        cleaned = [normalise(text) for text in texts]
        probs = predict_probabilities(
            self.network,
            self.tokenizer,
            cleaned,
            max_length=self.info.config.max_length,
            batch_size=batch_size,
            progress=progress,
        )
        return probs.double().numpy()

    def score(
        self, texts: Sequence[str], *, batch_size: int = 64, progress: bool = False
    ) -> list[float]:
        """Probability that each text is toxic (hate or offensive): ``1 - P(neither)``.

        A text that is empty after normalisation scores 0: it says nothing, and the network
        (never trained on empty input) would guess.
        """
        probs = self.probabilities(texts, batch_size=batch_size, progress=progress)
        return [
            0.0 if not normalise(text) else float(1.0 - p)
            for text, p in zip(texts, probs[:, NEITHER], strict=True)
        ]
