"""What a run tells a backend, whichever backend it is: one record, so the runner knows none.

The runner fills these from the command line and hands them to the class the backend table
names (``harness.backends.registry``); each backend takes what applies to it and refuses
what contradicts it. ``load_model`` is how a weights backend gets its model: the runner
passes the registry-aware resolver bound to its store, so a variant name works, while this
layer never imports the registry.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from harness.models.loaded import LoadedModel


@dataclass(frozen=True)
class BackendSettings:
    """Every knob a backend may read; each backend documents the ones it uses."""

    model: str
    dtype: str = "float32"
    device: str = "cpu"
    batch_size: int = 8
    # Rows of a continuously refilled generation batch (None: the backend's default).
    generation_rows: int | None = None
    chat: bool = False
    # Weights backends: how to load ``model`` (a spec or a registered variant), or the model
    # a caller already loaded (tests, the pytest plugin).
    load_model: Callable[[str], LoadedModel] | None = None
    loaded: LoadedModel | None = None
    # Served backends.
    base_urls: tuple[str, ...] = ()
    api_key_env: str | None = None
    tokenizer: str | None = None
    concurrency: int = 4
    timeout_s: float = 120.0
    extra: dict[str, str] = field(default_factory=dict)
