"""Run ids: short enough to type, random enough never to collide in one store."""

from __future__ import annotations

import secrets

RUN_ID_LENGTH = 12


def new_run_id() -> str:
    """Return a fresh run id of 12 lowercase hex characters (48 random bits).

    Random rather than sequential so runs from different machines can be merged into one
    store later; users type a unique prefix of it, git-style.
    """
    return secrets.token_hex(RUN_ID_LENGTH // 2)
