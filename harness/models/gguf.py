"""Convert a GGUF file once into a cached safetensors folder.

transformers reads GGUF slowly (about 20 s for SmolLM2-135M here) and marks the result as a
quantized model that Trainer refuses. Converting once and loading the folder afterwards takes
well under a second and gives an ordinary float model.
"""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

from harness.errors import HarnessError
from harness.models.hashing import file_sha256, weights_hash
from harness.paths import harness_home

SOURCE_FILE = "harness_source.json"


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


def ensure_converted(gguf_path: Path, *, log: bool = True) -> Path:
    """Return the cached safetensors folder for ``gguf_path``, converting it first when needed."""
    if not gguf_path.is_file():
        raise HarnessError(f"GGUF file not found: {gguf_path}; check the path")
    sha256 = file_sha256(gguf_path)
    folder = converted_folder(gguf_path, sha256)
    info = read_source_info(folder)
    if info is not None and info.get("source_sha256") == sha256:
        return folder

    from transformers import AutoModelForCausalLM, AutoTokenizer

    if log:
        print(f"converting {gguf_path.name} to safetensors (once; cached in {folder})", flush=True)
    started = time.perf_counter()
    tokenizer = AutoTokenizer.from_pretrained(str(gguf_path.parent), gguf_file=gguf_path.name)
    model = AutoModelForCausalLM.from_pretrained(str(gguf_path.parent), gguf_file=gguf_path.name)
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
