"""Models: resolve a source spec to weights + tokenizer, convert GGUF once, hash weights.

Sources only: a registered variant is the registry's to resolve (it knows the store).
"""

from harness.models.loaded import LoadedModel
from harness.models.loader import DTYPES, known_models, load_model
from harness.paths import DEFAULT_MODEL

__all__ = ["DEFAULT_MODEL", "DTYPES", "LoadedModel", "known_models", "load_model"]
