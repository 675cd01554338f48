"""Suites: a named YAML list of task files plus the aggregates to report over them.

``--suite mmlu`` finds ``suites/mmlu.yaml`` in the repository (or the working folder); a
path to a YAML file works too. Task files are named relative to the suite file.
"""

from __future__ import annotations

import fnmatch
import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from harness.errors import HarnessError, did_you_mean
from harness.paths import repo_root
from harness.tasks.config import TaskConfig, expand_task_file


class AggregateSpec(BaseModel):
    """Average ``metric`` over the suite's tasks (micro and macro), and per ``group_by`` param.

    ``tasks`` limits the aggregate to those tasks and ``name`` names it (an lm-eval group);
    by default it covers every task and carries the suite's name.
    """

    model_config = ConfigDict(extra="forbid")

    metric: str
    group_by: str | None = None
    name: str | None = None
    tasks: list[str] | None = None


class TaskFileRef(BaseModel):
    """A task file of which the suite takes only some tasks (four of BBH's 27 for PAL)."""

    model_config = ConfigDict(extra="forbid")

    file: str
    only: list[str]


class SuiteConfig(BaseModel):
    """The top level of a suite file."""

    model_config = ConfigDict(extra="forbid")

    suite: str
    description: str = ""
    tasks: list[str | TaskFileRef]
    aggregate: list[AggregateSpec] = Field(default_factory=list)


@dataclass(frozen=True)
class Suite:
    """A parsed suite: its config, its task configs in file order, and a content hash."""

    config: SuiteConfig
    tasks: list[TaskConfig]
    path: Path
    content_hash: str

    @property
    def name(self) -> str:
        return self.config.suite

    def select(self, patterns: list[str] | None) -> list[TaskConfig]:
        """Tasks whose name (or tag) matches one of ``patterns`` (globs allowed); all when None."""
        if not patterns:
            return list(self.tasks)
        chosen: list[TaskConfig] = []
        for pattern in patterns:
            hits = [
                t for t in self.tasks if fnmatch.fnmatchcase(t.task, pattern) or pattern in t.tag
            ]
            if not hits:
                sample = ", ".join(t.task for t in self.tasks[:5])
                raise HarnessError(
                    f"suite '{self.name}' has no task '{pattern}'"
                    f"{did_you_mean(pattern, [t.task for t in self.tasks])}; "
                    f"known tasks include {sample}, ... "
                    f"(see `harness tasks {self.name}`)"
                )
            chosen.extend(t for t in hits if t not in chosen)
        return chosen


def suites_dirs() -> list[Path]:
    """Folders searched for suite names: the repository's ``suites/``, then ``./suites``."""
    found = []
    repo = repo_root()
    if repo is not None:
        found.append(repo / "suites")
    found.append(Path.cwd() / "suites")
    return [d for d in dict.fromkeys(found) if d.is_dir()]


def available_suites() -> list[str]:
    """Suite names a user can pass to ``--suite``."""
    return sorted({p.stem for d in suites_dirs() for p in d.glob("*.yaml")})


def find_suite_file(name_or_path: str) -> Path:
    """The YAML file for a suite name or path."""
    path = Path(name_or_path).expanduser()
    if path.suffix in (".yaml", ".yml"):
        if not path.is_file():
            raise HarnessError(f"suite file {path} not found; check the path")
        return path
    for folder in suites_dirs():
        candidate = folder / f"{name_or_path}.yaml"
        if candidate.is_file():
            return candidate
    known = ", ".join(available_suites()) or "none found"
    raise HarnessError(
        f"unknown suite '{name_or_path}'{did_you_mean(name_or_path, available_suites())}; "
        f"known: {known}"
    )


def load_suite(name_or_path: str) -> Suite:
    """Parse a suite and all its task files, failing on the first problem with its location."""
    path = find_suite_file(name_or_path)
    raw = _read_yaml(path)
    try:
        config = SuiteConfig.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        key = ".".join(str(p) for p in first["loc"]) or "(top level)"
        raise HarnessError(
            f"{path}: bad suite key '{key}' ({first['msg']}); a suite has suite, tasks, aggregate"
        ) from None
    digest = hashlib.sha256(path.read_bytes())
    tasks: list[TaskConfig] = []
    for entry in config.tasks:
        ref = entry if isinstance(entry, str) else entry.file
        task_file = (path.parent / ref).resolve()
        if not task_file.is_file():
            raise HarnessError(
                f"{path}: task file '{ref}' not found (looked at {task_file}); fix the path"
            )
        digest.update(task_file.read_bytes())
        defined = expand_task_file(_read_yaml(task_file), where=str(task_file))
        if isinstance(entry, TaskFileRef):
            names = [t.task for t in defined]
            unknown = [n for n in entry.only if n not in names]
            if unknown:
                raise HarnessError(
                    f"{path}: task '{unknown[0]}' is not defined in {ref}"
                    f"{did_you_mean(unknown[0], names)}; fix 'only'"
                )
            defined = [t for t in defined if t.task in entry.only]
        tasks.extend(defined)
    names = [t.task for t in tasks]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise HarnessError(
            f"{path}: task name '{duplicates[0]}' is defined twice; give each task its own name"
        )
    for spec in config.aggregate:
        if spec.group_by is not None:
            missing = [t.task for t in tasks if spec.group_by not in t.params]
            if missing:
                raise HarnessError(
                    f"{path}: aggregate group_by '{spec.group_by}' is not a param of task '{missing[0]}'; "
                    "add it to the task's params or drop group_by"
                )
    return Suite(config=config, tasks=tasks, path=path, content_hash=digest.hexdigest())


def _read_yaml(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark is not None else str(path)
        problem = getattr(exc, "problem", None) or "invalid YAML"
        raise HarnessError(f"{where}: malformed YAML ({problem}); fix the syntax") from None
