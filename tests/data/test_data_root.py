from pathlib import Path

import pytest

from harness.data import resolve_data_root
from harness.errors import HarnessError


def test_flag_wins_over_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "flag").mkdir()
    (tmp_path / "env").mkdir()
    monkeypatch.setenv("HARNESS_DATA_DIR", str(tmp_path / "env"))
    assert resolve_data_root(tmp_path / "flag") == (tmp_path / "flag").resolve()
    assert resolve_data_root(None) == (tmp_path / "env").resolve()


def test_a_named_folder_that_does_not_exist_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(HarnessError, match="does not exist; pass an existing folder"):
        resolve_data_root(tmp_path / "missing")


def test_shared_data_beside_the_repository_is_the_default(
    shared_data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("HARNESS_DATA_DIR", raising=False)
    assert resolve_data_root(None) == shared_data.resolve()
