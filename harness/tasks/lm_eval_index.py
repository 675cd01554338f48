"""Find lm-eval tasks by name, as ``lm_eval --tasks`` does: task names, groups and tags.

The installed lm-eval's ``tasks/`` folder is searched, then each ``--lm-eval-include``
folder (a user's own task files; later folders win on a name clash, as lm-eval's
include path does). A group expands to its task list (names of tasks, groups or tags, or
inline task configs that override a named task) and keeps its ``aggregate_metric_list``;
a tag expands to every task that carries it.
"""

from __future__ import annotations

import functools
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness.errors import HarnessError, did_you_mean
from harness.tasks.lm_eval_yaml import load_lm_eval_yaml


def lm_eval_tasks_dir() -> Path:
    """The ``tasks`` folder of the installed lm-eval."""
    try:
        import lm_eval
    except ImportError:
        raise HarnessError(
            "--lm-eval-tasks reads the task files of an installed lm-eval; "
            "pip install 'harness-lab[lm-eval]' (or pass --lm-eval-include DIR only)"
        ) from None
    return Path(lm_eval.__file__).parent / "tasks"


@dataclass(frozen=True)
class LmEvalTaskSource:
    """One lm-eval task: its name, its merged config (functions loaded) and its file."""

    name: str
    config: dict[str, Any]
    path: Path


@dataclass(frozen=True)
class LmEvalGroup:
    """A group config: its leaf tasks and the aggregates lm-eval reports for it."""

    name: str
    tasks: tuple[str, ...]
    aggregates: tuple[dict[str, Any], ...]
    path: Path


@dataclass
class LmEvalSelection:
    """The tasks and groups a list of names expands to, tasks in first-seen order."""

    tasks: list[LmEvalTaskSource] = field(default_factory=list)
    groups: list[LmEvalGroup] = field(default_factory=list)


def select_lm_eval_tasks(
    names: list[str], include: list[Path] | None = None, *, defaults: bool = True
) -> LmEvalSelection:
    """Resolve ``names`` (tasks, groups, tags) against lm-eval's folder and ``include``."""
    folders = ([lm_eval_tasks_dir()] if defaults else []) + [Path(p) for p in include or []]
    for folder in folders:
        if not folder.is_dir():
            raise HarnessError(f"--lm-eval-include {folder} is not a folder; pass a folder")
    index = _Index(tuple(f.resolve() for f in folders))
    selection = LmEvalSelection()
    for name in names:
        index.expand(name, selection, chain=())
    return selection


class _Index:
    def __init__(self, folders: tuple[Path, ...]) -> None:
        self.folders = folders
        self.files = _yaml_files(folders)

    def expand(self, name: str, out: LmEvalSelection, chain: tuple[str, ...]) -> list[str]:
        """Add what ``name`` means to ``out``; return the leaf task names it covers."""
        if name in chain:
            raise HarnessError(f"lm-eval group cycle: {' -> '.join((*chain, name))}")
        kind, found = self._lookup(name)
        if kind == "task":
            path, config = found[0]
            return [_add_task(out, LmEvalTaskSource(name, config, path))]
        if kind == "tag":
            return [_add_task(out, LmEvalTaskSource(c["task"], c, p)) for p, c in found]
        path, group = found[0]
        leaves: list[str] = []
        for entry in _as_list(group.get("task")):
            if isinstance(entry, str):
                leaves += self.expand(entry, out, (*chain, name))
            elif isinstance(entry, dict) and isinstance(entry.get("task"), str):
                leaves.append(self._inline(entry, path, out, (*chain, name)))
            else:
                raise HarnessError(
                    f"{path}: group '{name}': task list entry {entry!r} is neither a name nor a "
                    "task config; fix the group file"
                )
        if name not in {g.name for g in out.groups}:
            aggregates = tuple(a for a in _as_list(group.get("aggregate_metric_list")) if a)
            out.groups.append(LmEvalGroup(name, tuple(dict.fromkeys(leaves)), aggregates, path))
        return leaves

    def _inline(
        self, entry: dict[str, Any], path: Path, out: LmEvalSelection, chain: tuple[str, ...]
    ) -> str:
        """A group's task entry given as a config: overrides on a named task, or a new task."""
        name = entry["task"]
        kind, found = self._lookup(name, missing_ok=True)
        if kind == "task":
            base_path, base = found[0]
            return _add_task(out, LmEvalTaskSource(name, {**base, **entry}, base_path))
        if kind is not None:  # a group or tag with overrides: lm-eval applies them to each task
            leaves = self.expand(name, out, chain)
            overrides = {k: v for k, v in entry.items() if k != "task"}
            if overrides:
                raise HarnessError(
                    f"{path}: overrides on group or tag '{name}' inside a group are not "
                    "supported; list its tasks with their overrides"
                )
            return leaves[0]
        return _add_task(out, LmEvalTaskSource(name, entry, path))

    def _lookup(
        self, name: str, *, missing_ok: bool = False
    ) -> tuple[str | None, list[tuple[Path, dict[str, Any]]]]:
        """("task" | "group" | "tag", [(file, config)]) for ``name``; later folders win."""
        tasks, groups, tagged = [], [], []
        for path in self._candidates(name):
            raw = load_lm_eval_yaml(path, resolve_functions=False)
            task, group = raw.get("task"), raw.get("group")
            if isinstance(group, str) and group == name and isinstance(task, list):
                groups.append(path)
            elif task == name:
                tasks.append(path)
            elif isinstance(task, str) and name in _as_list(raw.get("tag")):
                tagged.append(path)
        if "class" in _peek(tasks[-1] if tasks else None):
            raise HarnessError(
                f"{tasks[-1]}: lm-eval task '{name}' is a Python class (class: !function ...), "
                "not a YAML task; only YAML tasks can be read"
            )
        if tasks:
            return "task", [(tasks[-1], load_lm_eval_yaml(tasks[-1]))]
        if groups:
            return "group", [(groups[-1], load_lm_eval_yaml(groups[-1], resolve_functions=False))]
        if tagged:
            members = [(p, load_lm_eval_yaml(p)) for p in tagged]
            return "tag", sorted(members, key=lambda m: str(m[1]["task"]))
        if missing_ok:
            return None, []
        raise HarnessError(
            f"lm-eval has no task, group or tag named '{name}'{self._suggest(name)}; "
            f"searched {', '.join(map(str, self.folders))} (add your own with --lm-eval-include DIR)"
        )

    def _candidates(self, name: str) -> list[Path]:
        """Task files whose text (or whose folder's templates' text) names ``name``."""
        token = re.compile(rf"(?<![\w.\-]){re.escape(name)}(?![\w.\-])")
        found: dict[Path, None] = {}
        for path, text in self.files.items():
            if not token.search(text):
                continue
            if path.suffix == ".yaml" and re.search(r"^[\"']?(task|group)[\"']?\s*:", text, re.M):
                found[path] = None
            else:  # a template: the task files beside it may include it
                for sibling in sorted(path.parent.glob("*.yaml")):
                    found[sibling] = None
        return list(found)

    def _suggest(self, name: str) -> str:
        stems = {p.stem for p in self.files if p.suffix == ".yaml"}
        return did_you_mean(name, stems)


def _peek(path: Path | None) -> dict[str, Any]:
    return {} if path is None else load_lm_eval_yaml(path, resolve_functions=False)


def _add_task(out: LmEvalSelection, source: LmEvalTaskSource) -> str:
    for existing in out.tasks:
        if existing.name == source.name:
            if existing.config != source.config:
                raise HarnessError(
                    f"lm-eval task '{source.name}' is selected twice with different settings "
                    f"({existing.path} and {source.path}); select it once"
                )
            return source.name
    out.tasks.append(source)
    return source.name


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


@functools.cache
def _yaml_files(folders: tuple[Path, ...]) -> dict[Path, str]:
    """Every YAML file (``*.yaml`` tasks, ``*_yaml`` templates) under ``folders``, as text."""
    files: dict[Path, str] = {}
    for folder in folders:
        for root, dirs, names in os.walk(folder):
            dirs[:] = sorted(d for d in dirs if d not in ("__pycache__", ".ipynb_checkpoints"))
            for file_name in sorted(names):
                if file_name.endswith("yaml"):
                    path = Path(root) / file_name
                    files[path] = path.read_text(encoding="utf-8", errors="replace")
    return files
