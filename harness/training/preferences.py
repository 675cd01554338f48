"""Preference pairs (prompt, chosen, rejected) for the reward-model and DPO recipes.

Two sources:

- Anthropic hh-rlhf, ``harmless-base``. Each row holds two full dialogues that share every
  turn but the last assistant reply; the shared prompt is everything up to and including
  the last ``"\\n\\nAssistant:"`` and the two replies are what follows (trl's implicit-prompt
  convention, so a reply keeps its leading space). Only the *test* split of harmless-base
  is kept locally, so that one split is cut into train and held-out pairs here, by a
  seeded hash of the prompt text: a prompt lands on one side only, whatever its pairs.
- A ranked-responses JSONL (``data.ranked_file``): each row ranks several responses to one
  prompt, and every (better, worse) ordered pair becomes a training pair, the way
  InstructGPT turns K ranked completions into K*(K-1)/2 comparisons. Its pairs are split
  by the same prompt hash.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from harness.data import read_docs, resolve_data_root
from harness.errors import HarnessError, cause
from harness.hashing import is_heldout
from harness.training.sections import PreferenceData

HH_RLHF_FILE = "hh_rlhf/harmless-base/test.jsonl"
HH_RLHF_HUB = "Anthropic/hh-rlhf"
HH_RLHF_SOURCE = "hh-rlhf/harmless-base"
ASSISTANT_TURN = "\n\nAssistant:"


@dataclass(frozen=True)
class Pair:
    """One comparison: ``chosen`` is the better response to ``prompt``, ``rejected`` the worse."""

    prompt: str
    chosen: str
    rejected: str
    source: str


@dataclass(frozen=True)
class PreferenceSplit:
    """The training pairs, the held-out pairs and how they were split (for the registry)."""

    train: list[Pair]
    heldout: list[Pair]
    description: str


def preference_pairs(
    data: PreferenceData, *, tokenizer: Any, heldout_limit: int | None
) -> PreferenceSplit:
    """The config's pairs, split by prompt hash; seeded samples of those that fit ``max_length``."""
    if data.ranked_file is not None:
        pairs = ranked_pairs(Path(data.ranked_file))
        origin = Path(data.ranked_file).name
    else:
        pairs = hh_rlhf_pairs(load_hh_rlhf_rows())
        origin = "hh-rlhf harmless-base test split"
    train, heldout = split_by_prompt(pairs, data.heldout_percent, data.split_seed)
    where = data.ranked_file or HH_RLHF_FILE
    if not train or not heldout:
        raise HarnessError(
            f"{where}: {len(train)} training and {len(heldout)} held-out pairs after the "
            f"{data.heldout_percent}% prompt split; add prompts or change data.heldout_percent"
        )
    kept = sample_fitting(train, data.limit, data.split_seed, data.max_length, tokenizer)
    if not kept:
        raise HarnessError(
            f"{where}: no training pair fits data.max_length={data.max_length}; raise it"
        )
    held = sample_fitting(heldout, heldout_limit, data.split_seed, data.max_length, tokenizer)
    percent = data.heldout_percent
    description = f"{origin}, {100 - percent}/{percent} by seeded prompt hash"
    return PreferenceSplit(train=kept, heldout=held, description=description)


def load_hh_rlhf_rows() -> list[dict[str, Any]]:
    """hh-rlhf harmless-base test rows from the data root, else from the Hub."""
    root = resolve_data_root()
    path = root / HH_RLHF_FILE if root is not None else None
    if path is not None and path.is_file():
        return read_docs(path, "jsonl")
    try:
        import datasets

        rows = datasets.load_dataset(HH_RLHF_HUB, data_dir="harmless-base", split="test")
    except Exception as exc:  # datasets raises many types: offline, missing, wrong split/config
        # Keep the cause's own message: only some of these mean the Hub is unreachable.
        raise HarnessError(
            f"hh-rlhf not found ({HH_RLHF_FILE} under the data root) and the Hub dataset "
            f"{HH_RLHF_HUB} could not be loaded ({cause(exc)}); set $HARNESS_DATA_DIR "
            "or make the Hub reachable"
        ) from exc
    return [dict(row) for row in rows]


def split_dialogue(dialogue: str) -> tuple[str, str] | None:
    """(prompt through the last ``"\\n\\nAssistant:"``, the final reply); None without one."""
    cut = dialogue.rfind(ASSISTANT_TURN)
    if cut < 0:
        return None
    end = cut + len(ASSISTANT_TURN)
    return dialogue[:end], dialogue[end:]


def hh_rlhf_pairs(rows: Iterable[dict[str, Any]]) -> list[Pair]:
    """Pairs from hh-rlhf rows; rows whose two dialogues differ before the last reply, or
    whose reply is empty, are skipped (they do not compare two answers to one prompt)."""
    pairs = []
    for row in rows:
        chosen = split_dialogue(str(row.get("chosen", "")))
        rejected = split_dialogue(str(row.get("rejected", "")))
        if chosen is None or rejected is None or chosen[0] != rejected[0]:
            continue
        if not chosen[1].strip() or not rejected[1].strip():
            continue
        pairs.append(Pair(chosen[0], chosen[1], rejected[1], HH_RLHF_SOURCE))
    return pairs


def ranked_pairs(path: Path) -> list[Pair]:
    """Every (better, worse) pair of each row of a ranked-responses JSONL, in file order."""
    if not path.is_file():
        raise HarnessError(f"ranked file {path} not found; check data.ranked_file")
    pairs: list[Pair] = []
    source = f"ranked:{path.name}"
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            where = f"{path}: line {number}"
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise HarnessError(f"{where}: invalid JSON ({exc.msg}); fix the row") from None
            pairs.extend(ranked_row_pairs(row, source=source, where=where))
    return pairs


def ranked_row_pairs(row: Any, *, source: str, where: str) -> list[Pair]:
    """The ordered pairs of one ranked row: best against each worse one, then the next best...

    ``ranking[i]`` is the rank of ``responses[i]`` (1 = best); without it the responses are
    best-first. Equal ranks are ties and give no pair.
    """
    if not isinstance(row, dict):
        raise HarnessError(f"{where}: a row must be an object with prompt, responses, ranking")
    prompt, responses = row.get("prompt"), row.get("responses")
    if not isinstance(prompt, str):
        raise HarnessError(f"{where}: 'prompt' must be a string; fix the row")
    if not isinstance(responses, list) or not all(isinstance(r, str) for r in responses):
        raise HarnessError(f"{where}: 'responses' must be a list of strings; fix the row")
    if len(responses) < 2:
        raise HarnessError(f"{where}: {len(responses)} response(s); a ranking needs at least 2")
    ranking = row.get("ranking")
    if ranking is None:
        ranking = list(range(1, len(responses) + 1))
    valid = isinstance(ranking, list) and all(
        isinstance(r, int) and not isinstance(r, bool) for r in ranking
    )
    if not valid or len(ranking) != len(responses):
        raise HarnessError(
            f"{where}: 'ranking' must be one integer rank per response (1 = best), "
            f"got {ranking!r} for {len(responses)} responses"
        )
    order = sorted(range(len(responses)), key=lambda i: ranking[i])  # stable: ties keep file order
    pairs = []
    for x, better in enumerate(order):
        for worse in order[x + 1 :]:
            if ranking[better] < ranking[worse]:
                pairs.append(Pair(prompt, responses[better], responses[worse], source))
    return pairs


def split_by_prompt(pairs: list[Pair], percent: int, seed: int) -> tuple[list[Pair], list[Pair]]:
    """(train, held-out) pairs; every pair of one prompt goes to the same side."""
    train: list[Pair] = []
    heldout: list[Pair] = []
    for pair in pairs:
        (heldout if is_heldout(pair.prompt, percent, seed) else train).append(pair)
    return train, heldout


def pair_length(pair: Pair, tokenizer: Any) -> int:
    """Tokens of the prompt with its longer response, plus the end-of-sequence token the
    trainers append."""
    longer = max(
        len(tokenizer(pair.prompt + pair.chosen)["input_ids"]),
        len(tokenizer(pair.prompt + pair.rejected)["input_ids"]),
    )
    return longer + 1


def sample_fitting(
    pairs: list[Pair], limit: int | None, seed: int, max_length: int, tokenizer: Any
) -> list[Pair]:
    """A seeded sample of up to ``limit`` pairs that fit ``max_length`` (truncating would cut
    off the very responses being compared)."""
    order = list(range(len(pairs)))
    random.Random(seed).shuffle(order)
    kept: list[Pair] = []
    for index in order:
        if limit is not None and len(kept) >= limit:
            break
        if pair_length(pairs[index], tokenizer) <= max_length:
            kept.append(pairs[index])
    return kept


def pairs_hash(pairs: list[Pair]) -> str:
    """The variant's ``data_hash``: exactly the pairs trained on, in order."""
    from harness.registry import training_data_hash

    return training_data_hash(asdict(p) for p in pairs)
