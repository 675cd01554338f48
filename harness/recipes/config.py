"""Recipe configs: a YAML file with top-level defaults and named profiles, plus ``--set`` overrides.

The resolved config is a typed pydantic model (unknown keys are errors, not silently
ignored knobs), and its canonical JSON is what the variant's ``config_hash`` covers.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from harness.errors import HarnessError
from harness.paths import repo_root

DEFAULT_PARENT = "smollm2-135m-instruct"


class Section(BaseModel):
    """A config block: unknown keys are rejected so a typo never becomes a silent default."""

    model_config = ConfigDict(extra="forbid")


class TrainSettings(Section):
    """Optimiser and loop knobs shared by every recipe (they map onto ``TrainingArguments``)."""

    epochs: float = 1.0
    max_steps: int = -1  # > 0 overrides epochs
    batch_size: int = 4
    grad_accum: int = 1
    learning_rate: float = 5e-5
    lr_scheduler: str = "linear"
    warmup: float = 0.0  # below 1: a share of the steps; from 1: a number of steps
    weight_decay: float = 0.0
    max_grad_norm: float = 1.0
    logging_steps: int = 5
    save_steps: int = 25
    save_total_limit: int = 2
    gradient_checkpointing: bool = False
    bf16: bool = False  # GPU profiles only; CPU training stays in float32
    device: Literal["auto", "cpu", "cuda"] = "auto"


class SFTData(Section):
    """Which DialogSum training dialogues are used: a seeded sample of those that fit."""

    limit: int | None = 200  # None: every train dialogue that fits max_length
    seed: int = 0
    max_length: int = 512


class MultitaskData(Section):
    """A mixture of DialogSum and Alpaca examples, shuffled together with ``seed``."""

    dialogsum: int = 100
    alpaca: int = 100
    seed: int = 0
    max_length: int = 512


class LoraSettings(Section):
    rank: Annotated[int, Field(ge=1)] = 8
    alpha: Annotated[int, Field(ge=1)] = 16
    dropout: Annotated[float, Field(ge=0, lt=1)] = 0.05
    target_modules: list[str] = Field(default_factory=lambda: ["q_proj", "v_proj"])
    save_merged: bool = False


class PromptTuningSettings(Section):
    virtual_tokens: Annotated[int, Field(ge=1)] = 20
    # "text" starts the soft prompt from the embeddings of init_text (better than random).
    init: Literal["random", "text"] = "text"
    init_text: str = "Summarize the following conversation."


class RecipeConfig(Section):
    """What every recipe has: the variant's name, the parent it starts from, a seed, the loop."""

    name: str
    parent: str = DEFAULT_PARENT
    seed: int = 42
    train: TrainSettings = Field(default_factory=TrainSettings)


class SFTFullConfig(RecipeConfig):
    data: SFTData = Field(default_factory=SFTData)


class LoraRecipeConfig(RecipeConfig):
    data: SFTData = Field(default_factory=SFTData)
    lora: LoraSettings = Field(default_factory=LoraSettings)


class PromptTuningRecipeConfig(RecipeConfig):
    data: SFTData = Field(default_factory=SFTData)
    prompt_tuning: PromptTuningSettings = Field(default_factory=PromptTuningSettings)


class MultitaskRecipeConfig(RecipeConfig):
    data: MultitaskData = Field(default_factory=MultitaskData)


class TokenizerSettings(Section):
    vocab_size: Annotated[int, Field(ge=300)] = 4096
    min_frequency: Annotated[int, Field(ge=1)] = 2


class ModelShape(Section):
    """A Llama's size; the vocabulary comes from the tokenizer."""

    hidden: Annotated[int, Field(ge=8)] = 128
    layers: Annotated[int, Field(ge=1)] = 4
    heads: Annotated[int, Field(ge=1)] = 4
    kv_heads: Annotated[int, Field(ge=1)] = 4
    intermediate: Annotated[int, Field(ge=8)] = 384


CorpusName = Literal["tinyshakespeare", "wikitext2_raw"]
CORPORA: tuple[CorpusName, ...] = ("tinyshakespeare", "wikitext2_raw")


class CorpusData(Section):
    """Plain-text corpora under the data root; the last ``holdout`` share of each is held out."""

    corpora: list[CorpusName] = Field(default_factory=lambda: list(CORPORA))
    holdout: Annotated[float, Field(gt=0, lt=1)] = 0.1
    max_chars: Annotated[int | None, Field(ge=1000)] = None  # use only the start of each corpus
    block_size: Annotated[int, Field(ge=8)] = 128


class SweepSettings(Section):
    """Model sizes trained at one fixed token budget for the loss-vs-compute fit."""

    sizes: list[ModelShape] = Field(default_factory=list)
    tokens: Annotated[int, Field(ge=1)] = 200_000


class PretrainConfig(Section):
    """Pre-training from scratch has no parent: the tokenizer and the model are both new."""

    name: str
    seed: int = 42
    tokenizer: TokenizerSettings = Field(default_factory=TokenizerSettings)
    model: ModelShape = Field(default_factory=ModelShape)
    data: CorpusData = Field(default_factory=CorpusData)
    train: TrainSettings = Field(default_factory=TrainSettings)
    sweep: SweepSettings = Field(default_factory=SweepSettings)


class PreferenceData(Section):
    """Preference pairs: hh-rlhf split by a seeded hash of the prompt text, or a ranked file.

    ``ranked_file`` is a JSONL of ``{"prompt", "responses": [...], "ranking": [...]}`` rows
    (best first; ``ranking`` optional when ``responses`` is already best-first), turned into
    every ordered pair; without it the pairs come from ``../shared/data/hh_rlhf``.
    """

    limit: int | None = 512  # training pairs (None: all that fit)
    heldout_percent: Annotated[int, Field(ge=1, le=50)] = 10
    split_seed: int = 0
    max_length: int = 512
    ranked_file: str | None = None


class RewardModelConfig(RecipeConfig):
    data: PreferenceData = Field(default_factory=PreferenceData)
    heldout_limit: int | None = 200  # held-out pairs scored for pairwise accuracy


class DPOSettings(Section):
    beta: Annotated[float, Field(gt=0)] = 0.1
    policy: Literal["full", "lora"] = "lora"
    lora: LoraSettings = Field(default_factory=LoraSettings)


class DPORecipeConfig(RecipeConfig):
    data: PreferenceData = Field(default_factory=PreferenceData)
    dpo: DPOSettings = Field(default_factory=DPOSettings)
    heldout_limit: int | None = 100  # held-out pairs for the chosen-vs-rejected margin


class RLPrompts(Section):
    """Prompts the policy continues: ToxiGen (hate prompts elicit toxicity) and DialogSum."""

    toxigen: Annotated[int, Field(ge=0)] = 64
    dialogsum: Annotated[int, Field(ge=0)] = 32
    seed: int = 0
    # ToxiGen prompts the toxicity suite scores with any --limit up to this are never trained on.
    exclude_eval_limit: Annotated[int, Field(ge=0)] = 20
    max_prompt_tokens: Annotated[int, Field(ge=16)] = 256
    # Keep only the last N statements of a ToxiGen prompt (None: all ~6): shorter prompts
    # make each RL step several times cheaper on a CPU and still set the direction.
    toxigen_statements: Annotated[int | None, Field(ge=1)] = None


class RLSettings(Section):
    """GRPO: sampled groups per prompt, clipped policy gradient, KL penalty to the parent."""

    algorithm: Literal["grpo", "rloo"] = "grpo"
    policy: Literal["full", "lora"] = "lora"
    lora: LoraSettings = Field(default_factory=LoraSettings)
    beta: Annotated[float, Field(ge=0)] = 0.05  # KL coefficient; 0 disables the reference
    num_generations: Annotated[int, Field(ge=2)] = 4
    max_completion_tokens: Annotated[int, Field(ge=1)] = 24
    temperature: Annotated[float, Field(gt=0)] = 1.0
    epsilon: Annotated[float, Field(gt=0)] = 0.2
    # A completion counts as degenerate when shorter than this many words, or when one
    # token makes up more than ``max_repeat_share`` of it.
    min_words: Annotated[int, Field(ge=0)] = 3
    max_repeat_share: Annotated[float, Field(gt=0, le=1)] = 0.5
    # The reward a degenerate completion gets instead of its non-toxic score (None: no guard,
    # so saying nothing scores as perfectly non-toxic).
    degenerate_reward: float | None = 0.0


class RLDetoxConfig(RecipeConfig):
    prompts: RLPrompts = Field(default_factory=RLPrompts)
    rl: RLSettings = Field(default_factory=RLSettings)


class QuantizeSettings(Section):
    method: Literal["int8-weight-only", "int8-dynamic"] = "int8-weight-only"
    speed_tokens: Annotated[int, Field(ge=0)] = 64  # tokens generated to measure tokens/s


class QuantizeConfig(Section):
    """No training: a transform of the parent, so no ``train`` block."""

    name: str
    parent: str = DEFAULT_PARENT
    seed: int = 42
    quantize: QuantizeSettings = Field(default_factory=QuantizeSettings)


class PruneSettings(Section):
    method: Literal["magnitude", "mlp-channels"] = "magnitude"
    sparsity: Annotated[float, Field(ge=0, lt=1)] = 0.3  # share zeroed / MLP channels removed
    recovery_steps: Annotated[int, Field(ge=0)] = 0  # short DialogSum fine-tune afterwards


class PruneConfig(RecipeConfig):
    prune: PruneSettings = Field(default_factory=PruneSettings)
    data: SFTData = Field(default_factory=SFTData)  # for the recovery fine-tune


class StudentShape(Section):
    """The student keeps the teacher's tokenizer; ``layers`` taken evenly from the teacher
    when ``init`` is ``teacher-layers`` (hidden size unchanged), else a fresh random model."""

    layers: Annotated[int, Field(ge=1)] = 8
    hidden: Annotated[int | None, Field(ge=8)] = None  # None: the teacher's
    intermediate: Annotated[int | None, Field(ge=8)] = None
    init: Literal["teacher-layers", "random"] = "teacher-layers"


class DistillSettings(Section):
    temperature: Annotated[float, Field(gt=0)] = 2.0
    alpha: Annotated[float, Field(ge=0, le=1)] = 0.5  # weight of the soft (teacher) loss


class DistillConfig(RecipeConfig):
    data: SFTData = Field(default_factory=SFTData)
    student: StudentShape = Field(default_factory=StudentShape)
    distill: DistillSettings = Field(default_factory=DistillSettings)


CONFIG_MODELS: dict[str, type[Section]] = {
    "pretrain": PretrainConfig,
    "sft-full": SFTFullConfig,
    "lora": LoraRecipeConfig,
    "prompt-tuning": PromptTuningRecipeConfig,
    "sft-multitask": MultitaskRecipeConfig,
    "reward-model": RewardModelConfig,
    "dpo": DPORecipeConfig,
    "rl-detox": RLDetoxConfig,
    "quantize": QuantizeConfig,
    "prune": PruneConfig,
    "distill": DistillConfig,
}


def recipes_dir() -> Path:
    """The folder with the shipped recipe YAMLs: the repository's ``recipes/``, else ``./recipes``."""
    repo = repo_root()
    if repo is not None and (repo / "recipes").is_dir():
        return repo / "recipes"
    return Path.cwd() / "recipes"


def default_profile() -> str:
    """``full`` where a GPU is present, ``quick`` on a CPU."""
    import torch

    return "full" if torch.cuda.is_available() else "quick"


def load_recipe_config(
    recipe: str,
    *,
    config_file: str | Path | None = None,
    profile: str | None = None,
    overrides: list[str] | None = None,
) -> tuple[Any, str]:
    """The recipe's validated config and the profile applied.

    Order: the file's top-level values, then the profile's, then each ``--set key=value``.
    """
    if recipe not in CONFIG_MODELS:
        raise HarnessError(f"unknown recipe '{recipe}'; known: {', '.join(CONFIG_MODELS)}")
    path = Path(config_file) if config_file else recipes_dir() / f"{recipe}.yaml"
    raw = read_yaml(path)
    profiles = raw.pop("profiles", None) or {}
    if not isinstance(profiles, dict):
        raise HarnessError(f"{path}: 'profiles' must map profile names to settings")
    raw.pop("recipe", None)
    profile = profile or default_profile()
    if profile not in profiles:
        known = ", ".join(profiles) or "none"
        raise HarnessError(f"{path}: no profile '{profile}'; known: {known}")
    merged = deep_merge(raw, profiles[profile] or {})
    for item in overrides or []:
        merged = apply_override(merged, item)
    model = CONFIG_MODELS[recipe]
    try:
        return model.model_validate(merged), profile
    except ValidationError as exc:
        raise HarnessError(_describe_error(exc, model, path)) from None


def config_dict(config: BaseModel) -> dict[str, Any]:
    """The resolved config as plain JSON-able data, without ``name``.

    The name labels the result; it does not change it, so it stays out of the config hash.
    """
    values = config.model_dump(mode="json")
    values.pop("name", None)
    return values


def config_hash(config: BaseModel) -> str:
    """The hash the registry stores as the variant's ``config_hash`` (canonical JSON, sha256)."""
    from harness.registry import config_hash as registry_config_hash

    return registry_config_hash(config_dict(config))


def deep_merge(base: dict[str, Any], update: dict[str, Any]) -> dict[str, Any]:
    """``base`` with ``update`` laid over it, mappings merged key by key."""
    merged = copy.deepcopy(base)
    for key, value in update.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def apply_override(config: dict[str, Any], item: str) -> dict[str, Any]:
    """Apply one ``dotted.key=value``; the value is read as YAML (``16``, ``true``, ``[a, b]``)."""
    key, sep, text = item.partition("=")
    if not sep or not key.strip():
        raise HarnessError(
            f"bad --set '{item}'; use key=value, e.g. --set train.learning_rate=1e-4"
        )
    try:
        value = yaml.safe_load(text) if text.strip() else None
    except yaml.YAMLError:
        value = text
    if isinstance(value, str) and _looks_numeric(value):
        value = float(value)  # YAML 1.1 reads 1e-4 as a string
    update: dict[str, Any] = {}
    node = update
    parts = key.strip().split(".")
    for part in parts[:-1]:
        node = node.setdefault(part, {})
    node[parts[-1]] = value
    return deep_merge(config, update)


def _looks_numeric(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def read_yaml(path: Path) -> dict[str, Any]:
    if not path.is_file():
        raise HarnessError(f"recipe config {path} not found; pass --config FILE or check the name")
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise HarnessError(
            f"{path}: invalid YAML ({str(exc).splitlines()[0]}); fix the file"
        ) from None
    if not isinstance(raw, dict):
        raise HarnessError(f"{path}: a recipe config must be a mapping of settings")
    return raw


def _describe_error(exc: ValidationError, model: type[BaseModel], path: Path) -> str:
    """One line: which key is wrong and, for an unknown key, the keys its section knows."""
    first = exc.errors()[0]
    loc = [str(p) for p in first["loc"]]
    key = ".".join(loc) or "(top level)"
    if first["type"] == "extra_forbidden":
        known = _known_keys(model, loc[:-1])
        return f"{path.name}: unknown key '{key}'; known keys here: {', '.join(known)}"
    return f"{path.name}: bad value for '{key}' ({first['msg']}); fix the config or the --set"


def _known_keys(model: type[BaseModel], section: list[str]) -> list[str]:
    current: Any = model
    for part in section:
        field = current.model_fields.get(part) if hasattr(current, "model_fields") else None
        if field is None:
            break
        annotation = field.annotation
        args = getattr(annotation, "__args__", ())
        candidates = [annotation, *args]
        current = next(
            (c for c in candidates if isinstance(c, type) and issubclass(c, BaseModel)), None
        )
        if current is None:
            return []
    return list(current.model_fields) if current is not None else []
