"""A task's dataset: which files under the data root hold each split, or which Hub dataset.

Local files come first; the Hub (``datasets.load_dataset``) is the fallback for users who
have no local copy. Either way the task sees a list of dict docs and a content hash.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from harness.data.readers import Doc, read_docs
from harness.errors import HarnessError


class HubSource(BaseModel):
    """The same data on the Hugging Face Hub, and how its rows map onto the local fields."""

    model_config = ConfigDict(extra="forbid")

    path: str
    name: str | None = None
    splits: dict[str, str] = Field(default_factory=dict)  # our split -> Hub split
    fields: dict[str, str] = Field(
        default_factory=dict
    )  # our field -> Jinja template over a Hub row


class DatasetSpec(BaseModel):
    """Where a task's docs live. ``splits`` maps split names to files relative to ``path``."""

    model_config = ConfigDict(extra="forbid")

    path: str  # folder under the data root
    splits: dict[str, str]
    format: str = "jsonl"
    columns: list[str] | None = None  # for header-less CSV/TSV
    hub: HubSource | None = None


@dataclass(frozen=True)
class LoadedSplit:
    """Docs of one split, their content hash and where they came from."""

    docs: list[Doc]
    data_hash: str
    origin: str


def load_split(spec: DatasetSpec, split: str, root: Path | None, *, task: str) -> LoadedSplit:
    """Read one split from the data root, or from the Hub when no local copy exists."""
    if split not in spec.splits:
        raise HarnessError(
            f"task '{task}': split '{split}' is not in dataset.splits ({', '.join(spec.splits)}); "
            "add it or choose another split"
        )
    if root is not None:
        file = root / spec.path / spec.splits[split]
        if file.is_file():
            docs = read_docs(file, spec.format, spec.columns)
            return LoadedSplit(docs=docs, data_hash=_file_hash(file), origin=str(file))
        if spec.hub is None:
            raise HarnessError(
                f"task '{task}': data file {file} not found; put the dataset there or pass --data-dir"
            )
    if spec.hub is None:
        raise HarnessError(
            f"task '{task}': no data root found and the task names no Hub dataset; "
            "pass --data-dir or set $HARNESS_DATA_DIR"
        )
    return _load_from_hub(spec.hub, split, task=task, local_hint=root)


def _file_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def docs_hash(docs: list[Doc]) -> str:
    """Content hash of docs that did not come from one file (Hub rows)."""
    digest = hashlib.sha256()
    for doc in docs:
        digest.update(json.dumps(doc, sort_keys=True, ensure_ascii=False, default=str).encode())
        digest.update(b"\n")
    return digest.hexdigest()


def _load_from_hub(
    hub: HubSource, split: str, *, task: str, local_hint: Path | None
) -> LoadedSplit:
    try:
        import datasets
    except ImportError:  # pragma: no cover - datasets is a dependency
        raise HarnessError(
            "the Hub fallback needs the 'datasets' package; pip install datasets"
        ) from None
    hub_split = hub.splits.get(split, split)
    try:
        rows = datasets.load_dataset(hub.path, hub.name, split=hub_split)
    except Exception as exc:  # datasets raises many types for offline/missing data
        where = f" under {local_hint}" if local_hint is not None else ""
        raise HarnessError(
            f"task '{task}': data not found{where} and the Hub dataset {hub.path} "
            f"could not be loaded ({type(exc).__name__}); pass --data-dir with a local copy"
        ) from None
    docs = [_map_row(dict(row), hub.fields) for row in rows]
    return LoadedSplit(
        docs=docs, data_hash=docs_hash(docs), origin=f"hub:{hub.path}/{hub.name or ''}:{hub_split}"
    )


def _map_row(row: dict[str, Any], fields: dict[str, str]) -> Doc:
    if not fields:
        return row
    from harness.tasks.templates import render

    return {
        **row,
        **{
            name: render(template, row, where=f"hub field '{name}'")
            for name, template in fields.items()
        },
    }
