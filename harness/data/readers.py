"""Readers for the file formats benchmark data comes in: CSV, TSV (quoting off), JSON Lines."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

from harness.errors import HarnessError

Doc = dict[str, Any]
FORMATS = ("csv", "tsv", "jsonl", "json", "lines", "qa_blocks")


def read_docs(
    path: Path, fmt: str, columns: list[str] | None = None, *, header: bool | None = None
) -> list[Doc]:
    """Rows of ``path`` as dicts. ``columns`` names the fields of a header-less CSV/TSV.

    ``header=True`` with ``columns`` drops a header row whose names are unusable in
    templates (MRPC's ``#1 String``); by default a file has a header iff no columns are given.
    """
    if fmt == "jsonl":
        return _read_jsonl(path)
    if fmt in ("csv", "tsv"):
        docs = _read_delimited(path, fmt, columns)
        return docs[1:] if header and columns is not None else docs
    raise HarnessError(f"unknown data format '{fmt}' for {path}; use one of {', '.join(FORMATS)}")


def _read_jsonl(path: Path) -> list[Doc]:
    docs: list[Doc] = []
    with path.open(encoding="utf-8") as handle:
        for line_no, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                doc = json.loads(line)
            except json.JSONDecodeError as exc:
                raise HarnessError(
                    f"{path}:{line_no}: not valid JSON ({exc.msg}); fix or remove the line"
                ) from None
            if not isinstance(doc, dict):
                raise HarnessError(f"{path}:{line_no}: expected a JSON object per line")
            docs.append(doc)
    return docs


def _read_delimited(path: Path, fmt: str, columns: list[str] | None) -> list[Doc]:
    """CSV with standard quoting; TSV with quoting off (GLUE's TSVs contain bare quotes).

    ``utf-8-sig`` drops a leading byte-order mark (MRPC's files start with one).
    """
    with path.open(encoding="utf-8-sig", newline="") as handle:
        if fmt == "tsv":
            reader = csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        else:
            reader = csv.reader(handle)
        rows = list(reader)
    if columns is None:
        if not rows:
            return []
        columns, rows = rows[0], rows[1:]
    docs: list[Doc] = []
    for line_no, row in enumerate(rows, start=1):
        if len(row) != len(columns):
            raise HarnessError(
                f"{path}: row {line_no} has {len(row)} fields but the task names {len(columns)} columns "
                f"({', '.join(columns)}); fix the task's dataset.columns"
            )
        docs.append(dict(zip(columns, row, strict=True)))
    return docs
