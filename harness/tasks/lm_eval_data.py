"""Where an lm-eval task's dataset comes from: local files named by the task, a local copy
of its Hub dataset named in a data map, or the Hub itself.

lm-eval tasks name Hub datasets (``dataset_path: aps/super_glue``, ``dataset_name: boolq``).
A data map (``suites/lm_eval_data.yaml``, or the user's own with ``--lm-eval-data-map``) says
where under the data root a copy lives and how its rows become the Hub's rows: each Hub
column is a Jinja expression over the local row (``label: "label | int"``), with ``index``
the row's position. A config name ``"*"`` stands for any config; ``${name}`` in it is the
config's name (MMLU's 57 subjects in one entry). Tasks whose ``dataset_kwargs`` carry
``data_files`` read those files with ``datasets`` as lm-eval does, and anything else goes to
the Hub (``datasets.load_dataset``), which fails offline with a line naming the data map.
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from harness.data.source import DatasetSpec, docs_hash, load_split
from harness.errors import HarnessError, cause
from harness.paths import repo_root
from harness.tasks.templates import evaluate, render


class LocalCopy(BaseModel):
    """One Hub dataset config's local copy: the files, and each Hub column as an expression."""

    model_config = ConfigDict(extra="forbid")

    dataset: DatasetSpec
    fields: dict[str, str] = Field(default_factory=dict)  # empty: rows are already Hub rows


@dataclass(frozen=True)
class DataMap:
    """Hub dataset id -> config name (or ``*``) -> local copy, as raw YAML (``${name}`` kept)."""

    entries: dict[str, dict[str, Any]]
    origin: str

    def copy_for(self, path: str, name: str | None) -> LocalCopy | None:
        configs = self.entries.get(path)
        if configs is None:
            return None
        key = name or "default"
        raw = configs.get(key, configs.get("*"))
        if raw is None:
            return None
        filled = _substitute(raw, {"name": key})
        try:
            return LocalCopy.model_validate(filled)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            raise HarnessError(
                f"{self.origin}: {path} {key}: bad entry at '{where}' ({first['msg']}); "
                "an entry has dataset (path, splits, format, ...) and fields"
            ) from None


def default_data_map_file() -> Path | None:
    """The data map shipped with the repository (``suites/lm_eval_data.yaml``)."""
    repo = repo_root()
    path = repo / "suites" / "lm_eval_data.yaml" if repo is not None else None
    return path if path is not None and path.is_file() else None


def load_data_map(extra: str | Path | None = None) -> DataMap:
    """The shipped data map, with a user's map (``--lm-eval-data-map``) laid over it."""
    entries: dict[str, dict[str, Any]] = {}
    origins = []
    for path in (default_data_map_file(), Path(extra).expanduser() if extra else None):
        if path is None:
            continue
        if not path.is_file():
            raise HarnessError(f"data map {path} does not exist; pass an existing YAML file")
        try:
            raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as exc:
            raise HarnessError(f"{path}: malformed YAML ({exc}); fix the syntax") from None
        if not isinstance(raw, dict) or not all(isinstance(v, dict) for v in raw.values()):
            raise HarnessError(
                f"{path}: a data map is a mapping of Hub dataset id -> config name -> local copy"
            )
        for hub_id, configs in raw.items():
            entries.setdefault(str(hub_id), {}).update(configs)
        origins.append(str(path))
    return DataMap(entries=entries, origin=" + ".join(origins) or "(no data map)")


@dataclass(frozen=True)
class LoadedDataset:
    """The splits an lm-eval task asked for, as ``datasets.Dataset`` (what process_docs takes)."""

    splits: dict[str, Any]  # split name -> datasets.Dataset
    hashes: dict[str, str]
    origin: str


def load_lm_eval_dataset(
    dataset_path: str,
    dataset_name: str | None,
    dataset_kwargs: dict[str, Any],
    splits: list[str],
    *,
    data_root: Path | None,
    data_map: DataMap,
    task: str,
) -> LoadedDataset:
    """The named splits of a task's dataset, from local files wherever the task allows."""
    import datasets

    copy = None if "data_files" in dataset_kwargs else data_map.copy_for(dataset_path, dataset_name)
    if copy is not None and data_root is not None:
        out: dict[str, Any] = {}
        hashes: dict[str, str] = {}
        origins = []
        for split in splits:
            loaded = load_split(copy.dataset, split, data_root, task=task, render=render)
            docs = [
                _hub_row(doc, i, copy.fields, task=task) if copy.fields else doc
                for i, doc in enumerate(loaded.docs)
            ]
            out[split] = datasets.Dataset.from_list(docs)
            hashes[split] = docs_hash(docs)
            origins.append(loaded.origin)
        return LoadedDataset(out, hashes, ", ".join(origins))
    try:
        loaded_all = datasets.load_dataset(dataset_path, dataset_name, **dataset_kwargs)
    except Exception as exc:  # offline, unknown dataset, bad files: datasets raises many types
        hint = (
            f"it has a local copy in {data_map.origin} but no data root was found; pass --data-dir"
            if copy is not None
            else f"map it to local files in a data map (--lm-eval-data-map FILE, like {data_map.origin})"
        )
        raise HarnessError(
            f"task '{task}': dataset {dataset_path} (config {dataset_name or 'default'}) could "
            f"not be loaded ({cause(exc)}); {hint}"
        ) from None
    missing = [s for s in splits if s not in loaded_all]
    if missing:
        raise HarnessError(
            f"task '{task}': dataset {dataset_path} has no split '{missing[0]}' "
            f"(it has {', '.join(loaded_all)}); fix the task's split keys"
        )
    chosen = {s: loaded_all[s] for s in splits}
    return LoadedDataset(
        chosen,
        {s: docs_hash(list(d)) for s, d in chosen.items()},
        f"datasets:{dataset_path}/{dataset_name or ''}",
    )


def _hub_row(
    doc: dict[str, Any], index: int, fields: dict[str, str], *, task: str
) -> dict[str, Any]:
    values = {**doc, "index": index}
    return {
        name: evaluate(expression, values, where=f"task '{task}': data map field '{name}'")
        for name, expression in fields.items()
    }


def _substitute(value: Any, params: dict[str, str]) -> Any:
    if isinstance(value, str):
        return string.Template(value).safe_substitute(params)
    if isinstance(value, dict):
        return {k: _substitute(v, params) for k, v in value.items()}
    if isinstance(value, list):
        return [_substitute(v, params) for v in value]
    return value
