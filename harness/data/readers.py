"""Readers for the file formats benchmark data comes in: CSV, TSV (quoting off), JSON Lines."""

from __future__ import annotations

import csv
import gzip
import json
from collections.abc import Iterator
from contextlib import contextmanager
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
    opener = gzip.open if path.suffix == ".gz" else open  # HumanEval ships gzipped
    with _not_utf8_named(path), opener(path, "rt", encoding="utf-8") as handle:
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
                raise HarnessError(
                    f"{path}:{line_no}: expected a JSON object per line, got "
                    f"{type(doc).__name__}; fix or remove the line"
                )
            docs.append(doc)
    return docs


def _read_delimited(path: Path, fmt: str, columns: list[str] | None) -> list[Doc]:
    """CSV with standard quoting; TSV with quoting off (GLUE's TSVs contain bare quotes).

    ``utf-8-sig`` drops a leading byte-order mark (MRPC's files start with one). Rows keep
    the file line they end on (a quoted field may span lines), so an error can name it.
    """
    with _not_utf8_named(path), path.open(encoding="utf-8-sig", newline="") as handle:
        if fmt == "tsv":
            reader = csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        else:
            reader = csv.reader(handle)
        try:
            rows = [(reader.line_num, row) for row in reader]
        except csv.Error as exc:
            raise HarnessError(
                f"{path}:{reader.line_num}: malformed {fmt.upper()} ({exc}); fix the line"
            ) from None
    if columns is None:
        if not rows:
            return []
        columns, rows = rows[0][1], rows[1:]
    docs: list[Doc] = []
    for line_no, row in rows:
        if len(row) != len(columns):
            raise HarnessError(
                f"{path}:{line_no}: {len(row)} fields but the task names {len(columns)} columns "
                f"({', '.join(columns)}); fix the line or the task's dataset.columns"
            )
        docs.append(dict(zip(columns, row, strict=True)))
    return docs


@contextmanager
def _not_utf8_named(path: Path) -> Iterator[None]:
    """A file that is not UTF-8 text names itself and the byte where decoding failed."""
    try:
        yield
    except UnicodeDecodeError as exc:
        raise HarnessError(
            f"{path}: not UTF-8 text (byte {exc.start} of a chunk: {exc.reason}); "
            "convert the file to UTF-8"
        ) from None
