"""Compression of a loaded causal LM in place: int8 quantization and pruning.

Pure model transforms with the facts a variant records (bits, sparsity, bytes); the
recipes that save, register and evaluate the compressed variants build on them.
"""

from harness.compression.pruning import (
    PruningReport,
    magnitude_prune,
    prune_mlp_channels,
    weight_sparsity,
)
from harness.compression.quantization import (
    QUANTIZATION_METHODS,
    QuantizationReport,
    parameter_bytes,
    quantize_model,
)

__all__ = [
    "QUANTIZATION_METHODS",
    "PruningReport",
    "QuantizationReport",
    "magnitude_prune",
    "parameter_bytes",
    "prune_mlp_channels",
    "quantize_model",
    "weight_sparsity",
]
