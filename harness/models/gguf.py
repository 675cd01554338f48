"""Convert a GGUF file once into a cached safetensors folder.

transformers reads GGUF slowly (about 20 s for SmolLM2-135M here) and marks the result as a
quantized model that Trainer refuses. Converting once and loading the folder afterwards takes
well under a second and gives an ordinary float model. The folder is found by the GGUF
file's content hash, which is remembered by path, size and modification time, so a load
does not read the whole file again (about 0.2 s for 92 MB) to find it.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from pathlib import Path

from harness.errors import HarnessError, cause
from harness.models.hashing import file_sha256, weights_hash
from harness.paths import harness_home

GGUF_MAGIC = b"GGUF"
SOURCE_FILE = "harness_source.json"
HASH_CACHE_FILE = "source_hashes.json"  # beside the converted folders


def converted_folder(gguf_path: Path, sha256: str) -> Path:
    """The cache folder for one GGUF file, named by its content hash."""
    stem = gguf_path.stem.lower().replace(".", "-")
    return harness_home() / "models" / f"{stem}-{sha256[:12]}"


def read_source_info(folder: Path) -> dict[str, str] | None:
    """The conversion record of a cached folder, or None when the folder is not a finished conversion."""
    info_path = folder / SOURCE_FILE
    if not info_path.is_file():
        return None
    info: dict[str, str] = json.loads(info_path.read_text())
    return info


def source_sha256(path: Path) -> str:
    """sha256 of a model file, hashed once per (path, size, modification time).

    A file changed in place gets a new size or modification time and is hashed again; the
    remembered hashes live in one small JSON file, rewritten atomically.
    """
    stat = path.stat()
    key = f"{path.resolve()}|{stat.st_size}|{stat.st_mtime_ns}"
    cache = harness_home() / "models" / HASH_CACHE_FILE
    known = _read_hashes(cache)
    if key in known:
        return known[key]
    sha256 = file_sha256(path)
    stale = f"{path.resolve()}|"
    known = {k: v for k, v in known.items() if not k.startswith(stale)}
    known[key] = sha256
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(
            "w", dir=cache.parent, prefix=cache.name, suffix=".partial", delete=False
        ) as handle:
            json.dump(known, handle, indent=2, sort_keys=True)
        os.replace(handle.name, cache)
    except OSError:
        pass  # a read-only cache only costs the hashing next time
    return sha256


def _read_hashes(cache: Path) -> dict[str, str]:
    try:
        loaded = json.loads(cache.read_text())
    except (OSError, ValueError):
        return {}
    if not isinstance(loaded, dict):
        return {}
    return {k: v for k, v in loaded.items() if isinstance(k, str) and isinstance(v, str)}


def ensure_converted(gguf_path: Path, *, log: bool = True) -> Path:
    """Return the cached safetensors folder for ``gguf_path``, converting it first when needed."""
    if not gguf_path.is_file():
        raise HarnessError(f"GGUF file not found: {gguf_path}; check the path")
    with gguf_path.open("rb") as handle:
        magic = handle.read(len(GGUF_MAGIC))
    if magic != GGUF_MAGIC:  # checked before hashing or converting: nothing is cached for it
        raise HarnessError(
            f"{gguf_path} is not a GGUF file (it does not start with 'GGUF'); "
            "pass a .gguf model file, a model folder or a packaged name"
        )
    sha256 = source_sha256(gguf_path)
    folder = converted_folder(gguf_path, sha256)
    info = read_source_info(folder)
    if info is not None and info.get("source_sha256") == sha256:
        return folder

    from transformers import AutoModelForCausalLM, AutoTokenizer

    if log:
        print(f"converting {gguf_path.name} to safetensors (once; cached in {folder})", flush=True)
    started = time.perf_counter()
    try:
        tokenizer = AutoTokenizer.from_pretrained(str(gguf_path.parent), gguf_file=gguf_path.name)
        model = AutoModelForCausalLM.from_pretrained(
            str(gguf_path.parent), gguf_file=gguf_path.name
        )
    except (ValueError, KeyError, OSError, RuntimeError, EOFError) as exc:  # damaged or unsupported
        raise HarnessError(
            f"{gguf_path}: cannot convert this GGUF file ({cause(exc)}); "
            "check that the download is complete and the architecture is supported"
        ) from exc
    # The GGUF loader dequantizes to float but leaves a quantizer marker behind; without
    # removing it, save_pretrained writes a GGUF quantization_config and Trainer refuses the model.
    model.hf_quantizer = None  # type: ignore[assignment]
    model.is_quantized = False  # type: ignore[assignment]
    if hasattr(model.config, "quantization_config"):
        del model.config.quantization_config
    model.config.name_or_path = gguf_path.stem

    staging = folder.with_name(folder.name + ".partial")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    model.save_pretrained(staging, safe_serialization=True)
    tokenizer.save_pretrained(staging)
    record = {
        "source_file": str(gguf_path),
        "source_sha256": sha256,
        "weights_hash": weights_hash(model),
        "conversion_seconds": f"{time.perf_counter() - started:.1f}",
    }
    (staging / SOURCE_FILE).write_text(json.dumps(record, indent=2))
    shutil.rmtree(folder, ignore_errors=True)
    staging.rename(
        folder
    )  # atomic: a crash mid-conversion never leaves a folder that looks finished
    return folder
