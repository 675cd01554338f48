"""A loaded model: the weights, their tokenizer, and the identity used in provenance."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from harness.store.records import ModelRecord


@dataclass
class LoadedModel:
    """A causal LM ready to score, with the facts every stored run records about it.

    ``weights_hash`` identifies the weights by content, so two specs that load the same
    weights (a GGUF and its cached conversion, say) are the same model to the store.
    """

    model: Any  # transformers PreTrainedModel; Any keeps torch out of import time
    tokenizer: Any  # transformers PreTrainedTokenizerBase
    spec: str
    name: str
    source: str
    weights_hash: str
    n_parameters: int
    dtype: str
    device: str
    details: dict[str, Any] = field(default_factory=dict)

    def record(self) -> ModelRecord:
        """The store's description of these weights."""
        return ModelRecord(
            model_hash=self.weights_hash,
            spec=self.spec,
            name=self.name,
            source=self.source,
            n_parameters=self.n_parameters,
            dtype=self.dtype,
            details=self.details,
        )
