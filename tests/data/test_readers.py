from pathlib import Path

import pytest

from harness.data import read_docs
from harness.errors import HarnessError


def test_headerless_csv_uses_the_given_columns_and_standard_quoting(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text('"What, exactly?",x,"say ""hi""",B\n')
    assert read_docs(path, "csv", ["q", "a", "b", "answer"]) == [
        {"q": "What, exactly?", "a": "x", "b": 'say "hi"', "answer": "B"}
    ]


def test_tsv_reads_quotes_literally(tmp_path: Path) -> None:
    path = tmp_path / "a.tsv"
    path.write_text('sentence\tlabel\nhe said "no\t1\n')
    assert read_docs(path, "tsv") == [{"sentence": 'he said "no', "label": "1"}]


def test_wrong_column_count_names_the_file_line(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text("a,b\n")
    with pytest.raises(HarnessError, match=r"a\.csv:1: 2 fields but the task names 3 columns"):
        read_docs(path, "csv", ["x", "y", "z"])


def test_a_short_row_after_a_header_names_its_file_line(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text('q,a\n"two\nlines",1\nonly\n')
    with pytest.raises(HarnessError, match=r"a\.csv:4: 1 fields but the task names 2 columns"):
        read_docs(path, "csv")


def test_a_file_that_is_not_utf8_is_named(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    path.write_bytes(b'{"a": "\xff\xfe"}\n')
    with pytest.raises(HarnessError, match=r"a\.jsonl: not UTF-8 text"):
        read_docs(path, "jsonl")


def test_a_jsonl_line_that_is_not_an_object_names_its_line(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    path.write_text('{"a": 1}\n\n[1, 2]\n')
    with pytest.raises(
        HarnessError, match=r"a\.jsonl:3: expected a JSON object per line, got list"
    ):
        read_docs(path, "jsonl")


def test_bad_jsonl_line_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    path.write_text('{"a": 1}\n{oops\n')
    with pytest.raises(HarnessError, match=r"a.jsonl:2: not valid JSON"):
        read_docs(path, "jsonl")
