"""harness-lab: evaluate, train and compare language-model variants with full provenance."""

import logging as _logging

__version__ = "0.1.0"

# transformers imports torchao whenever it is installed (we use it for int8 quantization),
# and on a CPU machine torchao then logs a failure to load each of its CUDA extensions and
# torch a deprecation note per torchao enum: noise on every command that loads a model.
for _name in ("torchao", "torch.utils._pytree"):
    _logging.getLogger(_name).setLevel(_logging.ERROR)
