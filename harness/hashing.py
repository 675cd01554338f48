"""The one canonical JSON form and the content hashes and seeded splits built on it.

Identity is by content: a task, a document or a config is the same when its canonical
JSON is the same text. Every content hash in the harness goes through here, so two places
can never disagree about what "the same" means.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any


def canonical_json(value: Any) -> str:
    """Sorted keys, Unicode kept as is, anything not JSON-able written with ``str``.

    The separators are json's defaults (``", "``, ``": "``): stored task, prompt and data
    hashes were computed this way, and changing a byte would make old runs incomparable.
    """
    return json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)


def sha256_hex(text: str) -> str:
    """sha256 of ``text`` as UTF-8, in hex."""
    return hashlib.sha256(text.encode()).hexdigest()


def content_hash(value: Any) -> str:
    """sha256 of a JSON-able value in canonical form."""
    return sha256_hex(canonical_json(value))


def is_heldout(text: str, percent: int, seed: int) -> bool:
    """Whether ``text`` falls in the held-out ``percent``.

    A seeded hash of the text, not a random draw: the same text lands on the same side on
    every machine and in every run, so no prompt is ever on both sides of a split.
    """
    digest = hashlib.sha256(f"{seed}\0{text}".encode()).digest()
    return int.from_bytes(digest[:8], "big") % 100 < percent
