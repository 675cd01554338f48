"""A model file's hash is computed once per path, size and modification time."""

import os
from pathlib import Path

import pytest

from harness.models import gguf
from harness.models.hashing import file_sha256


@pytest.fixture()
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("HARNESS_HOME", str(tmp_path / "home"))
    return tmp_path / "home"


def count_hashing(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    hashed: list[Path] = []

    def counting(path: Path) -> str:
        hashed.append(path)
        return file_sha256(path)

    monkeypatch.setattr(gguf, "file_sha256", counting)
    return hashed


def test_the_hash_is_read_once_and_remembered(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    model = tmp_path / "model.gguf"
    model.write_bytes(b"weights" * 1000)
    hashed = count_hashing(monkeypatch)
    assert gguf.source_sha256(model) == file_sha256(model)
    assert gguf.source_sha256(model) == file_sha256(model)
    assert hashed == [model]
    assert (home / "models" / gguf.HASH_CACHE_FILE).is_file()


def test_a_file_changed_in_place_is_hashed_again(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    model = tmp_path / "model.gguf"
    model.write_bytes(b"old weights")
    first = gguf.source_sha256(model)
    hashed = count_hashing(monkeypatch)
    model.write_bytes(b"new weights")
    stat = model.stat()
    os.utime(model, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    assert gguf.source_sha256(model) == file_sha256(model) != first
    assert hashed == [model]


def test_an_unreadable_cache_file_is_ignored(home: Path, tmp_path: Path) -> None:
    (home / "models").mkdir(parents=True)
    (home / "models" / gguf.HASH_CACHE_FILE).write_text("not json")
    model = tmp_path / "model.gguf"
    model.write_bytes(b"weights")
    assert gguf.source_sha256(model) == file_sha256(model)
