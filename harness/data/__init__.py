"""Finding and reading benchmark data: data root, file readers, dataset specs with a Hub fallback."""

from harness.data.readers import Doc, read_docs
from harness.data.root import resolve_data_root
from harness.data.source import DatasetSpec, HubSource, LoadedSplit, load_split

__all__ = [
    "DatasetSpec",
    "Doc",
    "HubSource",
    "LoadedSplit",
    "load_split",
    "read_docs",
    "resolve_data_root",
]
