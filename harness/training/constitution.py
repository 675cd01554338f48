"""A constitution: written principles a model critiques, revises and compares answers by.

Read from YAML (``recipes/constitutions/harness.yaml`` by default; users point
``constitution`` at their own). This module also writes the three prompts built from it,
all in hh-rlhf's ``Human:`` / ``Assistant:`` dialogue form, so the red-team prompts, the
few-shot examples and the model's own text read as one conversation:

- critique: few-shot examples, the dialogue, then the principle's critique request;
- revision: the same with the critique, then the principle's revision request.
The comparison a feedback model answers (the dialogue, a principle's question and two
answers as ``(A)`` / ``(B)``) is the LLM judge's own question, :mod:`harness.tasks.judge`.
"""

from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import Field, ValidationError

from harness.errors import HarnessError
from harness.tasks.judge import HUMAN
from harness.training.config import recipes_dir
from harness.training.sections import Section

DEFAULT_CONSTITUTION = "constitutions/harness.yaml"  # under recipes/
ASSISTANT = "Assistant:"


class Principle(Section):
    """One principle: what to criticise, how to revise, and which of two answers is better."""

    name: str
    critique: str = Field(min_length=1)
    revision: str = Field(min_length=1)
    comparison: str = Field(min_length=1)


class Demonstration(Section):
    """A worked example of one critique and revision, shown before every request."""

    prompt: str
    response: str
    critique: str
    revision: str


class Constitution(Section):
    name: str
    principles: list[Principle] = Field(min_length=1)
    examples: list[Demonstration] = Field(default_factory=list)

    def principle(self, name: str) -> Principle:
        for principle in self.principles:
            if principle.name == name:
                return principle
        known = ", ".join(p.name for p in self.principles)
        raise HarnessError(f"constitution '{self.name}' has no principle '{name}'; known: {known}")


def constitution_path(spec: str | None) -> Path:
    """The file ``spec`` names (None: the packaged default under ``recipes/``)."""
    if spec is None:
        return recipes_dir() / DEFAULT_CONSTITUTION
    return Path(spec).expanduser()


def load_constitution(spec: str | None = None) -> Constitution:
    """The constitution in ``spec`` (a YAML path; None: the default), validated."""
    path = constitution_path(spec)
    if not path.is_file():
        raise HarnessError(f"constitution {path} not found; set constitution=PATH to a YAML file")
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        return Constitution.model_validate(raw)
    except yaml.YAMLError as exc:
        raise HarnessError(f"constitution {path}: not valid YAML ({exc}); fix the file") from None
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise HarnessError(f"constitution {path}: {where}: {first['msg']}; fix the file") from None


def dialogue(prompt: str, response: str) -> str:
    """A single-turn exchange in hh-rlhf's form (``prompt`` may already carry the turns)."""
    start = prompt if prompt.lstrip().startswith(HUMAN) else f"\n\n{HUMAN} {prompt}\n\n{ASSISTANT}"
    return f"{start.rstrip()} {response.strip()}"


def _shots(constitution: Constitution, revision: bool, principle: Principle) -> str:
    parts = []
    for shot in constitution.examples:
        text = (
            f"{dialogue(shot.prompt, shot.response)}\n\nCritique request: {principle.critique}"
            f"\n\nCritique: {shot.critique.strip()}"
        )
        if revision:
            text += (
                f"\n\nRevision request: {principle.revision}\n\nRevision: {shot.revision.strip()}"
            )
        parts.append(text)
    return "\n\n---".join(parts) + ("\n\n---" if parts else "")


def critique_prompt(
    constitution: Constitution, principle: Principle, prompt: str, response: str
) -> str:
    """The text the model continues with its critique of ``response``."""
    return (
        f"{_shots(constitution, False, principle)}{dialogue(prompt, response)}"
        f"\n\nCritique request: {principle.critique}\n\nCritique:"
    )


def revision_prompt(
    constitution: Constitution, principle: Principle, prompt: str, response: str, critique: str
) -> str:
    """The text the model continues with its revision of ``response`` after ``critique``."""
    return (
        f"{_shots(constitution, True, principle)}{dialogue(prompt, response)}"
        f"\n\nCritique request: {principle.critique}\n\nCritique: {critique.strip()}"
        f"\n\nRevision request: {principle.revision}\n\nRevision:"
    )
