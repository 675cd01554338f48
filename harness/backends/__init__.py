"""Backends turn requests (loglikelihood, rolling loglikelihood, generation) into numbers."""

from typing import TYPE_CHECKING, Any

from harness.backends.base import Backend, ProgressCallback
from harness.backends.generation_config import (
    GenerationConfig,
    make_generation_config,
    parse_generation_overrides,
)
from harness.backends.requests import (
    GenerationRequest,
    GenerationResult,
    LoglikelihoodRequest,
    LoglikelihoodResult,
    RollingRequest,
    RollingResult,
)

if TYPE_CHECKING:
    from harness.backends.hf import HFBackend

__all__ = [
    "Backend",
    "GenerationConfig",
    "GenerationRequest",
    "GenerationResult",
    "HFBackend",
    "LoglikelihoodRequest",
    "LoglikelihoodResult",
    "ProgressCallback",
    "RollingRequest",
    "RollingResult",
    "make_generation_config",
    "parse_generation_overrides",
]


def __getattr__(name: str) -> Any:
    """Import HFBackend on first use: it pulls in torch and transformers, which the CLI
    and the task code that only build requests should not pay for at import time."""
    if name == "HFBackend":
        from harness.backends.hf import HFBackend

        return HFBackend
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
