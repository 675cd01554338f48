"""Read one lm-eval task YAML as lm-eval reads it: ``include:`` merged, ``!function`` resolved.

``include`` names files relative to the including file (a list merges in order, the
including file's own keys win). ``!function utils.doc_to_text`` loads ``utils.py`` from the
folder of the YAML file that wrote the tag, as lm-eval does; the function keeps its source
text so a task's content hash changes when its Python changes.
"""

from __future__ import annotations

import hashlib
import importlib.util
import inspect
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from harness.errors import HarnessError

_BASE_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class TaskFunction:
    """A Python callable named in a task YAML with ``!function module.name``."""

    spec: str  # as written: "utils.doc_to_text"
    path: Path  # the .py file it came from
    function: Callable[..., Any]

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.function(*args, **kwargs)

    def fingerprint(self) -> str:
        """What identifies the function: its name and its source (or the file's bytes)."""
        try:
            source = inspect.getsource(self.function)
        except (OSError, TypeError):
            source = self.path.read_text(encoding="utf-8")
        return f"{self.spec}:{hashlib.sha256(source.encode()).hexdigest()[:16]}"


def load_lm_eval_yaml(path: Path, *, resolve_functions: bool = True) -> dict[str, Any]:
    """The task config in ``path`` with its includes merged and its functions loaded."""
    return _load(path.expanduser().resolve(), resolve_functions, seen=())


def _load(path: Path, resolve: bool, seen: tuple[Path, ...]) -> dict[str, Any]:
    if path in seen:
        raise HarnessError(f"{seen[-1]}: include cycle through {path}; remove one include")
    if not path.is_file():
        where = f"{seen[-1]}: included file" if seen else "lm-eval task file"
        raise HarnessError(f"{where} {path} does not exist; fix the include path")
    try:
        raw = yaml.load(path.read_bytes(), Loader=_loader(path.parent, resolve))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark is not None else str(path)
        raise HarnessError(f"{where}: malformed YAML ({getattr(exc, 'problem', exc)})") from None
    if not isinstance(raw, dict):
        raise HarnessError(f"{path}: an lm-eval task file must be a mapping of keys")
    if "include" not in raw:
        return raw
    includes = raw.pop("include")
    merged: dict[str, Any] = {}
    for name in includes if isinstance(includes, list) else [includes]:
        included = _load((path.parent / str(name)).resolve(), resolve, (*seen, path))
        included.pop("task_list", None)  # lm-eval: a task list belongs to its own file
        merged.update(included)
    merged.update(raw)
    return merged


def _loader(folder: Path, resolve: bool) -> type[yaml.SafeLoader]:
    class Loader(_BASE_LOADER):  # type: ignore[misc,valid-type]
        """A safe loader that knows lm-eval's ``!function`` tag."""

    def function(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
        spec = loader.construct_scalar(node)  # type: ignore[arg-type]
        return load_function(str(spec), folder) if resolve else f"!function {spec}"

    Loader.add_constructor("!function", function)
    return Loader


def load_function(spec: str, folder: Path) -> TaskFunction:
    """``module.name`` from ``folder/module.py``, else from an importable module."""
    module_name, _, name = spec.rpartition(".")
    if not module_name:
        raise HarnessError(
            f"{folder}: !function {spec} names no module; write it as module.function"
        )
    local = folder / f"{module_name.replace('.', '/')}.py"
    if local.is_file():
        module = _module_from_file(local)
        origin = local
    else:
        try:
            module = importlib.import_module(module_name)
        except ImportError as exc:
            raise HarnessError(
                f"{folder}: !function {spec}: no {local.name} next to the task file and no "
                f"module {module_name} to import ({exc}); add the file"
            ) from None
        origin = Path(getattr(module, "__file__", "") or local)
    function = getattr(module, name, None)
    if function is None:
        raise HarnessError(f"{origin}: !function {spec}: the module has no '{name}'; fix the name")
    return TaskFunction(spec=spec, path=origin, function=function)


def _module_from_file(path: Path) -> Any:
    """Load ``path`` once per modification time, under a name derived from its location.

    Files inside lm-eval's task folder get lm-eval's own module names
    (``lm_eval.tasks.super_glue.copa.utils``), so a module lm-eval loaded is shared.
    """
    text = str(path)
    marker = "/lm_eval/tasks/"
    if marker in text:
        name = "lm_eval.tasks." + text.split(marker, 1)[1].removesuffix(".py").replace("/", ".")
    else:
        name = "harness_lm_eval_tasks." + hashlib.sha256(text.encode()).hexdigest()[:16]
    mtime = path.stat().st_mtime_ns
    existing = sys.modules.get(name)
    if existing is not None and getattr(existing, "__mtime__", None) == mtime:
        return existing
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise HarnessError(f"{path}: not a loadable Python file")
    module = importlib.util.module_from_spec(spec)
    module.__mtime__ = mtime  # type: ignore[attr-defined]
    try:
        spec.loader.exec_module(module)
    except Exception as exc:  # the task's own code failed to import
        raise HarnessError(
            f"{path}: importing the task's Python failed ({type(exc).__name__}: {exc}); "
            "install what it needs"
        ) from None
    sys.modules[name] = module
    return module
