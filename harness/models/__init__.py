"""Models: resolve a spec to weights + tokenizer, convert GGUF once, hash weights for provenance."""

from harness.models.loaded import LoadedModel
from harness.models.loader import DEFAULT_MODEL, DTYPES, known_models, load_model

__all__ = ["DEFAULT_MODEL", "DTYPES", "LoadedModel", "known_models", "load_model"]
