"""How much memory a model needs to load, fine-tune (fully or with LoRA) and shard (ZeRO).

``model_shape(spec)`` reads the size from the config (meta device, no weights);
``memory_table(shape, options)`` does the arithmetic, with the conventions in
:mod:`harness.memory.estimate`.
"""

from harness.memory.estimate import (
    DeepSpeedEstimate,
    MemoryLine,
    MemoryOptions,
    activation_bytes,
    chinchilla_tokens,
    deepspeed_estimates,
    memory_table,
    zero_stages,
)
from harness.memory.shape import (
    DEFAULT_LORA_TARGETS,
    ArchitectureShape,
    model_shape,
    shape_from_config,
)

__all__ = [
    "DEFAULT_LORA_TARGETS",
    "ArchitectureShape",
    "DeepSpeedEstimate",
    "MemoryLine",
    "MemoryOptions",
    "activation_bytes",
    "chinchilla_tokens",
    "deepspeed_estimates",
    "memory_table",
    "model_shape",
    "shape_from_config",
    "zero_stages",
]
