"""Plain-text pre-training corpora from the data root, each split into train and held-out text.

The held-out part is the last ``holdout`` share of each corpus (cut at a line break), as
nanoGPT splits Tiny Shakespeare, so the split is the same on every machine.
"""

from __future__ import annotations

from dataclasses import dataclass

from harness.data import resolve_data_root
from harness.errors import HarnessError

# Corpus name -> its file under the data root (see each folder's SOURCE.md).
CORPUS_FILES = {
    "tinyshakespeare": "tinyshakespeare/input.txt",
    "wikitext2_raw": "wikitext2_raw/wiki.test.raw",
}


@dataclass(frozen=True)
class CorpusSplit:
    name: str
    train: str
    heldout: str


def load_corpora(
    names: list[str], holdout: float, max_chars: int | None = None
) -> list[CorpusSplit]:
    """Each named corpus read (CRLF normalised to LF) and split into train and held-out text.

    ``max_chars`` keeps only the start of each corpus, for quick experiments and tests.
    """
    root = resolve_data_root()
    if root is None:
        raise HarnessError("no data root for the pre-training corpora; set $HARNESS_DATA_DIR")
    splits = []
    for name in names:
        path = root / CORPUS_FILES[name]
        if not path.is_file():
            raise HarnessError(f"corpus '{name}' not found at {path}; check the data root")
        text = path.read_text(encoding="utf-8").replace("\r\n", "\n")[:max_chars]
        target = int(len(text) * (1 - holdout))
        newline = text.rfind("\n", 0, target)
        cut = newline + 1 if newline > 0 else target
        splits.append(CorpusSplit(name=name, train=text[:cut], heldout=text[cut:]))
    return splits
