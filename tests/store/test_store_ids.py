"""Run ids are short random hex strings."""

from __future__ import annotations

import re

from harness.store import new_run_id


def test_new_run_id_is_twelve_lowercase_hex_characters() -> None:
    assert re.fullmatch(r"[0-9a-f]{12}", new_run_id())


def test_new_run_ids_do_not_repeat() -> None:
    assert len({new_run_id() for _ in range(1000)}) == 1000
