"""Backends by name: ``name -> "module:Class"``, imported only when a run asks for one.

Adding a backend is its module in this package plus one line here. Nothing is imported at
start-up, so ``harness --help`` stays instant however heavy a backend's libraries are.
"""

from __future__ import annotations

import difflib
import importlib
from typing import Any

from harness.errors import HarnessError

BACKENDS: dict[str, str] = {
    "hf": "harness.backends.hf:HFBackend",
    "openai": "harness.backends.openai_backend:OpenAIBackend",
}


def backend_names() -> list[str]:
    """The names ``--backend`` accepts."""
    return sorted(BACKENDS)


def backend_class(name: str) -> Any:
    """The class registered as ``name``, imported now."""
    target = BACKENDS.get(name)
    if target is None:
        close = difflib.get_close_matches(name, BACKENDS, n=1)
        hint = f"did you mean '{close[0]}'? " if close else ""
        raise HarnessError(f"unknown backend '{name}'; {hint}known: {', '.join(backend_names())}")
    module_name, _, class_name = target.partition(":")
    return getattr(importlib.import_module(module_name), class_name)
