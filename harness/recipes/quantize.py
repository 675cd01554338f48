"""Post-training int8 quantization of a parent model: no training, a transform and its costs.

The parent (a root, a full model, or a LoRA variant merged first) is written as a float
folder and loaded back through transformers' torchao integration, because only a model
quantized that way carries the ``quantization_config`` that lets ``save_pretrained`` write
the int8 tensors and ``from_pretrained`` rebuild them. The LM head stays float (it is tied
to the embeddings in SmolLM2, see :mod:`harness.compression.quantization`). The variant
records what quantization buys (bytes in memory and on disk, tokens/s) and what it costs
(the next-token KL from the parent).
"""

from __future__ import annotations

import logging
import shutil
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import Field

from harness.compression import QuantizationReport, parameter_bytes
from harness.errors import HarnessError
from harness.training.sections import DEFAULT_PARENT, Section
from harness.training.session import RecipeSession
from harness.training.trainer import untrained
from harness.training.weights import full_model, weights_on_disk

if TYPE_CHECKING:
    from harness.registry import Variant

# Fixed text for the KL measurement: the same sentences for every quantized variant.
# Nothing is trained, so nothing is gained from more processes: ``--processes`` is refused.
TRAINS = False
KL_SENTENCES = (
    "The quick brown fox jumps over the lazy dog, and the dog does not seem to mind at all.",
    "#Person1#: Did you finish the report for the meeting tomorrow?\n"
    "#Person2#: Almost. I still need to check the numbers in the last table.",
)
SPEED_PROMPT = "Summarize the following conversation.\n\n#Person1#: How was your weekend?\n"


class QuantizeSettings(Section):
    method: Literal["int8-weight-only", "int8-dynamic"] = "int8-weight-only"
    speed_tokens: Annotated[int, Field(ge=0)] = 64  # tokens generated to measure tokens/s


class Config(Section):
    """No training: a transform of the parent, so no ``train`` block."""

    name: str
    parent: str = DEFAULT_PARENT
    seed: int = 42
    quantize: QuantizeSettings = Field(default_factory=QuantizeSettings)


def train(session: RecipeSession[Config]) -> Variant:
    """Quantize the parent's Linear layers to int8 with torchao (nothing trained); registers a
    ``quantized`` variant with 0 trainable parameters and what it buys and costs: memory and
    disk bytes before and after, tokens/s, and the next-token KL from the parent."""
    config = session.config
    settings = config.quantize
    run = session.run_dir()
    started = time.perf_counter()
    parent, loaded = session.load_parent()
    reference = full_model(loaded.model, parent.name)
    tokenizer = loaded.tokenizer

    float_folder = run.root / "parent-float"
    reference.save_pretrained(str(float_folder))
    disk_before = weights_on_disk(float_folder)
    quantized = load_quantized(float_folder, settings.method)
    shutil.rmtree(float_folder)  # a float copy of the parent: only needed to load from
    report = QuantizationReport(
        method=settings.method,
        bits=8,
        quantized_layers=quantized_layers(quantized),
        bytes_before=parameter_bytes(reference),
        bytes_after=parameter_bytes(quantized),
    )
    # Saved here first to measure the folder; registering writes the same files again.
    model_folder = run.root / "model"
    quantized.save_pretrained(str(model_folder))
    disk_after = weights_on_disk(model_folder)

    kl = next_token_kl(reference, quantized, tokenizer, KL_SENTENCES)
    speed_parent = tokens_per_second(reference, tokenizer, settings.speed_tokens)
    speed_quantized = tokens_per_second(quantized, tokenizer, settings.speed_tokens)
    details: dict[str, Any] = {
        "method": report.method,
        "bits": report.bits,
        "quantized_layers": report.quantized_layers,
        "memory_bytes_before": report.bytes_before,
        "memory_bytes_after": report.bytes_after,
        "disk_bytes_before": disk_before,
        "disk_bytes_after": disk_after,
        "speed_tokens": settings.speed_tokens,
        "tokens_per_second_parent": speed_parent,
        "tokens_per_second_quantized": speed_quantized,
        "next_token_kl": kl,
    }
    outcome = untrained(quantized, time.perf_counter() - started)
    variant = session.register(
        kind="quantized",
        parent=parent,
        model=quantized,
        tokenizer=tokenizer,
        run=run,
        data_hash=kl_data_hash(),
        outcome=outcome,
        details=details,
    )
    print_summary(details)
    return variant


def load_quantized(folder: Path, method: str) -> Any:
    """The float model in ``folder`` loaded with torchao ``method`` (LM head kept float)."""
    import torch
    from transformers import AutoModelForCausalLM, TorchAoConfig

    logging.getLogger("torchao").setLevel(logging.ERROR)  # CUDA-extension noise on a CPU
    from torchao.quantization import Int8DynamicActivationInt8WeightConfig, Int8WeightOnlyConfig

    configs = {
        "int8-weight-only": Int8WeightOnlyConfig,
        "int8-dynamic": Int8DynamicActivationInt8WeightConfig,
    }
    if method not in configs:
        raise HarnessError(
            f"unknown quantization method '{method}'; use one of {', '.join(configs)}"
        )
    quantization = TorchAoConfig(configs[method](), modules_to_not_convert=["lm_head"])
    model = AutoModelForCausalLM.from_pretrained(
        str(folder), quantization_config=quantization, dtype=torch.float32
    )
    model.eval()
    return model


def quantized_layers(model: Any) -> int:
    """Linear layers whose weight is a quantized tensor (a subclass, not a plain tensor)."""
    import torch

    return sum(
        1
        for module in model.modules()
        if isinstance(module, torch.nn.Linear)
        and type(module.weight) not in (torch.Tensor, torch.nn.Parameter)
    )


def next_token_kl(reference: Any, other: Any, tokenizer: Any, sentences: tuple[str, ...]) -> float:
    """Mean over every position of ``sentences`` of KL(reference || other) in nats."""
    import torch

    total, positions = 0.0, 0
    with torch.no_grad():
        for sentence in sentences:
            ids = tokenizer(sentence, return_tensors="pt")["input_ids"]
            p = reference(ids).logits.float().log_softmax(-1)
            q = other(ids).logits.float().log_softmax(-1)
            kl = (p.exp() * (p - q)).sum(-1)
            total += float(kl.sum())
            positions += kl.numel()
    return total / positions


def tokens_per_second(model: Any, tokenizer: Any, tokens: int) -> float | None:
    """Greedy decoding speed over exactly ``tokens`` new tokens, after a short warm-up."""
    import torch

    if tokens == 0:
        return None
    ids = tokenizer(SPEED_PROMPT, return_tensors="pt")["input_ids"]
    pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else tokenizer.eos_token_id

    def generate(count: int) -> None:
        model.generate(
            ids,
            max_new_tokens=count,
            min_new_tokens=count,  # no early stop at EOS: the same work for every model
            do_sample=False,
            pad_token_id=pad,
        )

    with torch.no_grad():
        generate(min(tokens, 4))  # first calls pay for allocation and kernel selection
        start = time.perf_counter()
        generate(tokens)
        seconds = time.perf_counter() - start
    return tokens / seconds


def kl_data_hash() -> str:
    """No training data: the variant's data is the fixed text its KL is measured on."""
    from harness.registry import training_data_hash

    return training_data_hash({"kl_sentence": s} for s in KL_SENTENCES)


def print_summary(details: dict[str, Any]) -> None:
    mib = 1024 * 1024

    def speed(value: float | None) -> str:
        return "-" if value is None else f"{value:.1f}"

    print(
        f"{details['method']}: {details['quantized_layers']} Linear layers at "
        f"{details['bits']} bits\n"
        f"  memory  {details['memory_bytes_before'] / mib:8.1f} MiB -> "
        f"{details['memory_bytes_after'] / mib:8.1f} MiB\n"
        f"  disk    {details['disk_bytes_before'] / mib:8.1f} MiB -> "
        f"{details['disk_bytes_after'] / mib:8.1f} MiB\n"
        f"  tokens/s (greedy, {details['speed_tokens']} tokens) "
        f"{speed(details['tokens_per_second_parent'])} -> "
        f"{speed(details['tokens_per_second_quantized'])}\n"
        f"  next-token KL(parent || quantized) {details['next_token_kl']:.5f} nats"
    )
