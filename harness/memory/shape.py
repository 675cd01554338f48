"""A model's size and shape from its config alone: built on the meta device, no weights read.

Counting parameters this way takes well under a second even for billion-parameter
configs, and it counts exactly what transformers would build (tied embeddings once).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from harness.errors import HarnessError

if TYPE_CHECKING:
    from harness.store import Location

DEFAULT_LORA_TARGETS = ("q_proj", "v_proj")


@dataclass(frozen=True)
class ArchitectureShape:
    """What the memory arithmetic needs to know about a model."""

    name: str
    n_parameters: int
    n_layers: int
    hidden_size: int
    n_heads: int
    vocab_size: int
    lora_linears: tuple[tuple[str, int, int], ...]  # (module name, in_features, out_features)
    # Parameters of the biggest single module (its own, not its children's): what ZeRO-3
    # gathers at once; for a language model usually the embedding matrix.
    largest_layer_params: int = 0

    def lora_parameters(self, rank: int, targets: tuple[str, ...] = DEFAULT_LORA_TARGETS) -> int:
        """Trainable parameters of LoRA with ``rank`` on the Linear layers named ``targets``.

        Each adapted ``Linear(in, out)`` gains ``A: rank x in`` and ``B: out x rank``, as peft
        builds them (no bias).
        """
        return sum(
            rank * (n_in + n_out)
            for name, n_in, n_out in self.lora_linears
            if name.rsplit(".", 1)[-1] in targets
        )


def shape_from_config(config: Any, name: str) -> ArchitectureShape:
    """Build the model on the meta device and read its parameter count and Linear layers."""
    import torch
    from transformers import AutoModelForCausalLM

    with torch.device("meta"):
        model = AutoModelForCausalLM.from_config(config)
    linears = tuple(
        (module_name, int(module.in_features), int(module.out_features))
        for module_name, module in model.named_modules()
        if isinstance(module, torch.nn.Linear) and module_name != "lm_head"
    )
    text_config = config.get_text_config() if hasattr(config, "get_text_config") else config
    return ArchitectureShape(
        name=name,
        n_parameters=sum(p.numel() for p in model.parameters()),
        n_layers=int(text_config.num_hidden_layers),
        hidden_size=int(text_config.hidden_size),
        n_heads=int(text_config.num_attention_heads),
        vocab_size=int(text_config.vocab_size),
        lora_linears=linears,
        largest_layer_params=max(
            sum(p.numel() for p in module.parameters(recurse=False)) for module in model.modules()
        ),
    )


def model_shape(spec: str, store: Location | None = None) -> ArchitectureShape:
    """The shape of the model a ``--model`` spec names, from its config only.

    Accepts what ``harness eval --model`` accepts: a packaged name, ``tiny-random-llama``,
    a .gguf file, a model folder, a Hub id, or the id or name of a variant registered in
    ``store`` (variants are looked up only in the store passed, never a default one).
    """
    from transformers import AutoConfig

    spec = spec.strip()
    config_source = _config_source(spec, store)
    if isinstance(config_source, str | Path):
        try:
            config = AutoConfig.from_pretrained(str(config_source))
        except (OSError, ValueError) as exc:
            raise HarnessError(
                f"cannot read the config of '{spec}' ({str(exc).splitlines()[0]}); "
                "pass a packaged name, a model folder, a Hub id or a variant"
            ) from None
    else:
        config = config_source
    return shape_from_config(config, spec)


def _config_source(spec: str, store: Location | None) -> Any:
    """A folder or Hub id to read ``config.json`` from, or a config object (tiny model)."""
    from harness.models.gguf import ensure_converted
    from harness.models.packaged import PACKAGED_MODELS, packaged_file
    from harness.models.tiny import TINY_PREFIX

    if spec in PACKAGED_MODELS:
        return ensure_converted(packaged_file(PACKAGED_MODELS[spec]))
    if spec == TINY_PREFIX or spec.startswith(TINY_PREFIX + ":"):
        from harness.models import load_model

        return load_model(spec).model.config  # tiny: building it is cheaper than explaining
    path = Path(spec).expanduser()
    if spec.endswith(".gguf"):
        if not path.is_file():
            raise HarnessError(f"GGUF file not found: {path}; check the path")
        return ensure_converted(path)
    if path.is_dir():
        return path
    variant = _find_variant(spec, store)
    if variant is not None:
        return _variant_config_source(variant, store)
    parts = spec.split("/")
    if len(parts) == 2 and all(parts):
        return spec  # a Hub id: only config.json is fetched
    raise HarnessError(
        f"unknown model '{spec}'; use a packaged name (see `harness models`), a model folder, "
        "a Hub id or a variant (see `harness variants`)"
    )


def _find_variant(spec: str, store: Location | None) -> Any:
    """The variant ``spec`` names in ``store``; with no store given, none."""
    if store is None:
        return None
    from harness.registry import find_variant

    return find_variant(store, spec)


def _variant_config_source(variant: Any, store: Location | None) -> Any:
    """A root's spec, a full variant's folder, or for an adapter its parent's config."""
    if variant.is_root:
        return _config_source(variant.spec, store)
    if variant.is_adapter:
        return _config_source(variant.parent_id, store)
    return variant.path
