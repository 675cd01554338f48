"""Recipe configs: a YAML file with top-level defaults and named profiles, plus ``--set`` overrides.

The resolved config is a typed pydantic model (unknown keys are errors, not silently
ignored knobs), and its canonical JSON is what the variant's ``config_hash`` covers. Which
model validates a recipe's YAML is the recipe module's ``Config`` (see ``harness.recipes``).
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any, Protocol, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from harness.errors import HarnessError, did_you_mean
from harness.paths import repo_root

ConfigT = TypeVar("ConfigT", bound=BaseModel)


class AnyRecipeConfig(Protocol):
    """What every recipe's top-level ``Config`` has; a pydantic model satisfies it as it is."""

    @property
    def name(self) -> str: ...

    @property
    def seed(self) -> int: ...

    def model_dump(self, *, mode: str = ...) -> dict[str, Any]: ...


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


def load_config(
    recipe: str,
    model: type[ConfigT],
    *,
    config_file: str | Path | None = None,
    profile: str | None = None,
    overrides: list[str] | None = None,
) -> tuple[ConfigT, str]:
    """``recipe``'s config validated by ``model``, and the profile applied.

    The file is ``config_file`` or ``recipes/<recipe>.yaml``. Order: the file's top-level
    values, then the profile's, then each ``--set key=value``.
    """
    path = Path(config_file) if config_file else recipes_dir() / f"{recipe}.yaml"
    raw = read_yaml(path)
    profiles = raw.pop("profiles", None) or {}
    if not isinstance(profiles, dict):
        raise HarnessError(f"{path}: 'profiles' must map profile names to settings")
    raw.pop("recipe", None)
    profile = profile or default_profile()
    if profile not in profiles:
        known = ", ".join(profiles) or "none"
        raise HarnessError(
            f"{path}: no profile '{profile}'{did_you_mean(profile, profiles)}; known: {known}"
        )
    merged = deep_merge(raw, profiles[profile] or {})
    for item in overrides or []:
        merged = apply_override(merged, item)
    try:
        return model.model_validate(merged), profile
    except ValidationError as exc:
        raise HarnessError(_describe_error(exc, model, path)) from None


def config_dict(config: AnyRecipeConfig) -> dict[str, Any]:
    """The resolved config as plain JSON-able data, without ``name``.

    The name labels the result; it does not change it, so it stays out of the config hash.
    """
    values = config.model_dump(mode="json")
    values.pop("name", None)
    return values


def config_hash(config: AnyRecipeConfig) -> str:
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
        return (
            f"{path.name}: unknown key '{key}'; known keys here: {', '.join(known)}"
            f"{did_you_mean(loc[-1], known)}"
        )
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
