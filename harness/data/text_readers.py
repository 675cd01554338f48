"""Readers for data that is not one record per row: JSON documents, plain text lines, Q/A prompts.

- ``json``: one JSON document; ``records`` names the dotted path of its list of records
  (BIG-Bench Hard keeps them under ``examples``).
- ``lines``: plain text, one record per line (FLORES). Several files of equal length read
  side by side give one record per line with a field per file (sentence-aligned corpora).
  With ``document_start`` (a regex) consecutive lines are joined into one record, a new one
  starting at every matching line (WikiText articles start at `` = Title = ``).
- ``qa_blocks``: a few-shot prompt file of ``Q: ...`` / ``A: ...`` blocks separated by blank
  lines, after an optional header ending in a ``-----`` line (BIG-Bench Hard's CoT prompts);
  the first block without ``Q:`` is the task description and is skipped.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from harness.errors import HarnessError

Doc = dict[str, Any]


def read_json_records(path: Path, records: str | None) -> list[Doc]:
    """The list at dotted path ``records`` of the JSON document in ``path`` (or the whole document)."""
    try:
        value: Any = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise HarnessError(f"{path}: not valid JSON ({exc.msg}); fix the file") from None
    for key in (records or "").split(".") if records else []:
        if not isinstance(value, dict) or key not in value:
            raise HarnessError(
                f"{path}: no key '{key}' on the way to dataset.records '{records}'; fix the path"
            )
        value = value[key]
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise HarnessError(
            f"{path}: dataset.records '{records or ''}' is not a list of objects; point it at one"
        )
    return list(value)


def _lines(path: Path) -> list[str]:
    """Lines without their endings (LF or CRLF, as WikiText has).

    Not ``str.splitlines``: it also breaks at U+2028 and other separators that may occur
    inside a sentence, which would misalign parallel files.
    """
    text = path.read_text(encoding="utf-8").replace("\r\n", "\n")
    lines = text.split("\n")
    return lines[:-1] if lines and lines[-1] == "" else lines


def read_aligned_lines(files: dict[str, Path]) -> list[Doc]:
    """One record per line, a field per file; every file must have the same number of lines."""
    columns = {name: _lines(path) for name, path in files.items()}
    counts = {name: len(lines) for name, lines in columns.items()}
    if len(set(counts.values())) > 1:
        shown = ", ".join(f"{files[n]} has {c}" for n, c in counts.items())
        raise HarnessError(f"aligned files differ in length ({shown}); use sentence-aligned files")
    names = list(columns)
    return [
        {name: columns[name][i] for name in names} for i in range(next(iter(counts.values()), 0))
    ]


def read_documents(path: Path, field: str, document_start: str) -> list[Doc]:
    """Consecutive lines joined with newlines into records, each starting at a matching line.

    Lines before the first match join the first document, so nothing is dropped.
    """
    pattern = re.compile(document_start)
    documents: list[list[str]] = []
    for line in _lines(path):
        if pattern.search(line) or not documents:
            documents.append([])
        documents[-1].append(line)
    return [{field: "\n".join(lines) + "\n"} for lines in documents]


def read_qa_blocks(path: Path) -> list[Doc]:
    """``{"input", "target"}`` per ``Q:``/``A:`` block of a few-shot prompt file."""
    text = path.read_text(encoding="utf-8").replace("\r\n", "\n")
    if "\n-----\n" in text:
        text = text.split("\n-----\n", 1)[1]
    docs: list[Doc] = []
    for block in re.split(r"\n\s*\n(?=Q: )", text.strip()):
        if not block.startswith("Q: "):
            continue  # the task description
        if "\nA: " not in block:
            raise HarnessError(f"{path}: a 'Q:' block has no 'A:' line; fix the prompt file")
        question, answer = block[3:].split("\nA: ", 1)
        docs.append({"input": question, "target": answer.strip()})
    if not docs:
        raise HarnessError(f"{path}: no 'Q: ... A: ...' blocks found; check the file format")
    return docs
