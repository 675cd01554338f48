"""How to generate: greedy by default, every knob validated, parsable from ``--gen k=v,...``."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from harness.errors import HarnessError, did_you_mean


class GenerationConfig(BaseModel):
    """Decoding settings; recorded in provenance with every generative run.

    Greedy unless ``do_sample`` is true; ``temperature``/``top_k``/``top_p`` apply only when
    sampling. ``seed`` makes sampling repeatable. ``stop`` sequences end a generation and are
    cut from the returned text.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    max_new_tokens: int = Field(default=256, ge=1)
    do_sample: bool = False
    temperature: float = Field(default=1.0, gt=0.0)
    top_k: int | None = Field(default=None, ge=1)
    top_p: float | None = Field(default=None, gt=0.0, le=1.0)
    stop: tuple[str, ...] = ()
    seed: int = 1234

    @field_validator("stop", mode="before")
    @classmethod
    def _stop_as_tuple(cls, value: Any) -> Any:
        """Accept one stop string as well as a list of them."""
        if isinstance(value, str):
            return (value,)
        return value

    def merged(self, **changes: Any) -> GenerationConfig:
        """A copy with ``changes`` applied and validated (task defaults, then user overrides)."""
        return make_generation_config({**self.model_dump(), **changes})


def make_generation_config(
    values: dict[str, Any], *, where: str = "generation config"
) -> GenerationConfig:
    """Build a config, turning validation failures into one line that names key and fix."""
    unknown = sorted(set(values) - set(GenerationConfig.model_fields))
    if unknown:
        known = ", ".join(GenerationConfig.model_fields)
        raise HarnessError(
            f"{where}: unknown key '{unknown[0]}'"
            f"{did_you_mean(unknown[0], GenerationConfig.model_fields)}; known: {known}"
        )
    try:
        return GenerationConfig(**values)
    except ValidationError as exc:
        first = exc.errors()[0]
        key = ".".join(str(part) for part in first["loc"]) or "value"
        raise HarnessError(
            f"{where}: bad value for '{key}' ({first['msg']}); got {first.get('input')!r}"
        ) from None


def parse_generation_overrides(text: str) -> dict[str, Any]:
    """Parse ``--gen max_new_tokens=64,temperature=0.7,stop=\\n`` into typed values.

    Values are read as int, float or bool where they look like one; ``stop`` may repeat or
    use ``|`` between sequences. Escapes such as ``\\n`` are honoured. Keys are checked here so a
    typo fails before the model loads.
    """
    out: dict[str, Any] = {}
    stops: list[str] = []
    for part in filter(None, (p.strip() for p in text.split(","))):
        key, sep, raw = part.partition("=")
        key = key.strip()
        if not sep or not key:
            raise HarnessError(
                f"--gen: '{part}' is not key=value; write e.g. --gen max_new_tokens=64"
            )
        if key not in GenerationConfig.model_fields:
            known = ", ".join(GenerationConfig.model_fields)
            raise HarnessError(
                f"--gen: unknown key '{key}'"
                f"{did_you_mean(key, GenerationConfig.model_fields)}; known: {known}"
            )
        value = raw.encode("utf-8").decode("unicode_escape")
        if key == "stop":
            stops.extend(s for s in value.split("|") if s)
            continue
        out[key] = _typed(value)
    if stops:
        out["stop"] = tuple(stops)
    make_generation_config(out, where="--gen")  # validate now, with the same messages
    return out


def _typed(raw: str) -> Any:
    lowered = raw.strip().lower()
    if lowered in {"true", "false"}:
        return lowered == "true"
    if lowered in {"none", "null"}:
        return None
    for cast in (int, float):
        try:
            return cast(raw)
        except ValueError:
            pass
    return raw


def cut_at_stop(text: str, stops: tuple[str, ...]) -> str:
    """``text`` up to the earliest occurrence of any stop string (all of it when none occurs)."""
    cut = len(text)
    for stop in stops:
        if stop:
            found = text.find(stop)
            if found != -1:
                cut = min(cut, found)
    return text[:cut]
