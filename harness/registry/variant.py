"""A variant: one model the lab started from or produced, identified by its weights.

The id is derived from the weights hash, so the same weights registered twice are one
variant, and a retrained model with different weights is a new one. The recipe config is
hashed as canonical JSON (sorted keys, compact), so key order and formatting in a YAML
file never change the hash while any changed value does.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from harness.errors import HarnessError
from harness.paths import harness_home
from harness.store.codec import encode_json
from harness.store.records import VariantRecord

VARIANT_KINDS = (
    "base",
    "instruct",
    "full-ft",
    "lora",
    "prompt-tuning",
    "rlhf",
    "dpo",
    "quantized",
    "pruned",
    "distilled",
    "reward-model",  # a sequence classifier scoring responses, not a causal LM
    "constitutional-sl",  # fine-tuned on its own critique -> revision chains
    "rlaif",  # preference-trained on AI-feedback labels
)
ID_PREFIX = "v-"
ID_HEX_CHARS = 12


@dataclass(frozen=True)
class Variant:
    """A registered model: where it came from, how it was made, and what it weighs."""

    variant_id: str
    name: str
    kind: str
    parent_id: str | None
    spec: str | None
    path: str | None
    recipe: str | None
    config_hash: str | None
    data_hash: str | None
    weights_hash: str
    total_params: int
    trainable_params: int
    size_bytes: int
    training_seconds: float | None
    final_losses: dict[str, float]
    details: dict[str, Any]
    created_at: datetime = field(default_factory=lambda: datetime.now(UTC))

    @property
    def is_root(self) -> bool:
        """A source model (packaged, Hub, folder): the root of a lineage tree."""
        return self.parent_id is None

    @property
    def is_adapter(self) -> bool:
        """Whether ``path`` holds a peft adapter (applied on the parent) rather than a full model."""
        return self.path is not None and (Path(self.path) / "adapter_config.json").is_file()

    def to_record(self) -> VariantRecord:
        """The store's row for this variant."""
        return VariantRecord.model_validate(asdict(self))

    @classmethod
    def from_record(cls, record: VariantRecord) -> Variant:
        """The variant a stored row describes."""
        return cls(**record.model_dump())


def variant_id_for(weights_hash: str) -> str:
    """``v-`` + the first 12 hex characters of the weights hash."""
    return ID_PREFIX + weights_hash[:ID_HEX_CHARS]


def canonical_json(value: Any) -> str:
    """Sorted keys, no whitespace, strict JSON: equal content always gives equal text."""
    return encode_json(value)


def config_hash(config: Any) -> str:
    """sha256 of the canonical JSON of a resolved recipe config."""
    return hashlib.sha256(canonical_json(config).encode()).hexdigest()


def size_on_disk(path: str | Path | None) -> int:
    """Bytes of a file, or of every file under a folder; 0 when there is nothing on disk."""
    if path is None:
        return 0
    target = Path(path)
    if target.is_file():
        return target.stat().st_size
    if target.is_dir():
        return sum(f.stat().st_size for f in target.rglob("*") if f.is_file())
    return 0


def variant_dir(name: str) -> Path:
    """Where a trained variant's weights live: ``harness_home()/variants/<name>/`` (not in git)."""
    check_name(name)
    return harness_home() / "variants" / name


def check_name(name: str) -> None:
    """Names become folder names and CLI arguments: no separators, no leading dot."""
    if not name or name != name.strip() or "/" in name or "\\" in name or name.startswith("."):
        raise HarnessError(
            f"bad variant name {name!r}; use letters, digits, '-', '_' or '.' "
            "(e.g. smollm2-lora-dialogsum)"
        )


def check_kind(kind: str) -> None:
    """Only the kinds the lab knows, so filters and reports can rely on them."""
    if kind not in VARIANT_KINDS:
        raise HarnessError(f"unknown variant kind '{kind}'; use one of {', '.join(VARIANT_KINDS)}")


def new_variant(
    *,
    name: str,
    kind: str,
    parent_id: str | None,
    path: str | Path | None,
    recipe: str | None,
    config: Any,
    data_hash: str | None,
    weights_hash: str,
    total_params: int,
    trainable_params: int,
    training_seconds: float | None,
    final_losses: dict[str, float],
    details: dict[str, Any],
) -> Variant:
    """A trained variant with its id, config hash, size on disk and creation time filled in.

    The resolved ``config`` is kept under ``details["config"]`` so the hash can be checked.
    """
    check_name(name)
    check_kind(kind)
    return Variant(
        variant_id=variant_id_for(weights_hash),
        name=name,
        kind=kind,
        parent_id=parent_id,
        spec=None,
        path=str(path) if path is not None else None,
        recipe=recipe,
        config_hash=config_hash(config) if config is not None else None,
        data_hash=data_hash,
        weights_hash=weights_hash,
        total_params=int(total_params),
        trainable_params=int(trainable_params),
        size_bytes=size_on_disk(path),
        training_seconds=training_seconds,
        final_losses={k: float(v) for k, v in final_losses.items()},
        details={**details, "config": config} if config is not None else dict(details),
        created_at=datetime.now(UTC),
    )


def training_data_hash(examples: Iterable[Any]) -> str:
    """sha256 over the training examples actually used, one canonical JSON line each, in order.

    Order matters because it is part of what the model saw; formatting and key order do not.
    """
    digest = hashlib.sha256()
    for example in examples:
        digest.update(canonical_json(example).encode())
        digest.update(b"\n")
    return digest.hexdigest()
