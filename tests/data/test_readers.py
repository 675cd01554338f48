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


def test_wrong_column_count_names_the_row(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text("a,b\n")
    with pytest.raises(HarnessError, match="row 1 has 2 fields but the task names 3 columns"):
        read_docs(path, "csv", ["x", "y", "z"])


def test_bad_jsonl_line_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    path.write_text('{"a": 1}\n{oops\n')
    with pytest.raises(HarnessError, match=r"a.jsonl:2: not valid JSON"):
        read_docs(path, "jsonl")
