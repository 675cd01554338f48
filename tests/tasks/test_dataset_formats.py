"""The data layouts benchmark suites need beyond one record per row."""

import json
from pathlib import Path

import pytest

from harness.data import DatasetSpec, load_split
from harness.data.source import explode_docs
from harness.errors import HarnessError
from harness.tasks.templates import render


def _spec(**values: object) -> DatasetSpec:
    return DatasetSpec.model_validate({"path": "d", **values})


def test_json_records_are_read_from_a_dotted_path(tmp_path: Path) -> None:
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "t.json").write_text(json.dumps({"canary": "x", "examples": [{"a": 1}]}))
    spec = _spec(format="json", records="examples", splits={"test": "t.json"})
    assert load_split(spec, "test", tmp_path, task="t", render=render).docs == [{"a": 1}]


def test_aligned_line_files_give_one_record_per_line(tmp_path: Path) -> None:
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "de").write_text("Hallo\nWelt\u2028!\n")
    (tmp_path / "d" / "en").write_text("Hello\nWorld!\n")
    spec = _spec(format="lines", splits={"test": {"files": {"source": "de", "target": "en"}}})
    assert load_split(spec, "test", tmp_path, task="t", render=render).docs == [
        {"source": "Hallo", "target": "Hello"},
        {"source": "Welt\u2028!", "target": "World!"},
    ]


def test_aligned_files_of_different_length_are_refused(tmp_path: Path) -> None:
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "a").write_text("1\n2\n")
    (tmp_path / "d" / "b").write_text("1\n")
    spec = _spec(format="lines", splits={"test": {"files": {"x": "a", "y": "b"}}})
    with pytest.raises(HarnessError, match="aligned files differ in length"):
        load_split(spec, "test", tmp_path, task="t", render=render)


def test_document_start_joins_crlf_lines_into_documents(tmp_path: Path) -> None:
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "w.raw").write_bytes(b" = A = \r\n x\r\n = = Sub = = \r\n = B = \r\n y\r\n")
    spec = _spec(
        format="lines", columns=["page"], document_start="^ = [^=]", splits={"test": "w.raw"}
    )
    assert load_split(spec, "test", tmp_path, task="t", render=render).docs == [
        {"page": " = A = \n x\n = = Sub = = \n"},
        {"page": " = B = \n y\n"},
    ]


def test_qa_blocks_skip_the_header_and_description(tmp_path: Path) -> None:
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "p.txt").write_text(
        "canary\n-----\nDo sums.\n\nQ: 1+1?\nA: Let's think.\n\nIt is 2. So the answer is 2.\n\n"
        "Q: 2+2?\nA: 4\n"
    )
    spec = _spec(splits={"shots": {"file": "p.txt", "format": "qa_blocks"}})
    assert load_split(spec, "shots", tmp_path, task="t", render=render).docs == [
        {"input": "1+1?", "target": "Let's think.\n\nIt is 2. So the answer is 2."},
        {"input": "2+2?", "target": "4"},
    ]


def test_header_true_replaces_unusable_column_names_and_drops_a_bom(tmp_path: Path) -> None:
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "m.tsv").write_bytes('\ufeffQuality\t#1 String\n1\tsaid "so\n'.encode())
    spec = _spec(format="tsv", columns=["label", "s1"], header=True, splits={"test": "m.tsv"})
    assert load_split(spec, "test", tmp_path, task="t", render=render).docs == [
        {"label": "1", "s1": 'said "so'}
    ]


def test_explode_gives_one_record_per_nested_element_in_order() -> None:
    docs = [{"idx": 0, "p": {"qs": [{"q": "a", "ans": [1, 2]}, {"q": "b", "ans": [3]}]}}]
    out = explode_docs(docs, {"question": "p.qs", "answer": "question.ans"}, task="t")
    assert [(d["question"]["q"], d["answer"]) for d in out] == [("a", 1), ("a", 2), ("b", 3)]
    assert all(d["idx"] == 0 for d in out)


def test_missing_local_file_says_data_not_found_and_the_fix(tmp_path: Path) -> None:
    spec = _spec(splits={"test": "absent.jsonl"})
    with pytest.raises(HarnessError, match=r"data not found: .*absent.jsonl.*--data-dir"):
        load_split(spec, "test", tmp_path, task="t", render=render)
