"""The argument parser every ``harness`` command uses, and the value types it checks.

A wrong value is one line on stderr (the problem, the fix, a nearest-name suggestion for a
mistyped choice) and exit 2, before anything is loaded or written: argparse's own usage
dump is noise to someone who mistyped one flag.
"""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Callable
from typing import Any, NoReturn

from harness.errors import HarnessError, did_you_mean

USAGE_ERROR = 2


class Parser(argparse.ArgumentParser):
    """argparse with one-line errors that point at ``--help`` and suggest the nearest choice."""

    def error(self, message: str) -> NoReturn:
        print(f"{self.prog}: error: {message}; see `{self.prog} --help`", file=sys.stderr)
        raise SystemExit(USAGE_ERROR)

    def _check_value(self, action: argparse.Action, value: Any) -> None:
        choices = action.choices
        if choices is not None and value not in choices:
            known = ", ".join(map(str, choices))
            hint = did_you_mean(str(value), map(str, choices))
            raise argparse.ArgumentError(
                action, f"invalid choice '{value}'{hint}; choose from {known}"
            )


def _number(
    convert: Callable[[str], Any], what: str, ok: Callable[[Any], bool], rule: str
) -> Callable[[str], Any]:
    def parse(text: str) -> Any:
        try:
            value = convert(text.strip())
        except ValueError:
            raise argparse.ArgumentTypeError(f"'{text}' is not {what}; pass {rule}") from None
        if (isinstance(value, float) and not math.isfinite(value)) or not ok(value):
            raise argparse.ArgumentTypeError(f"{text} is out of range; pass {rule}")
        return value

    parse.__name__ = what  # argparse names the type in some messages
    return parse


positive_int = _number(int, "a whole number", lambda v: v >= 1, "a whole number of at least 1")
non_negative_int = _number(int, "a whole number", lambda v: v >= 0, "a whole number >= 0")
non_negative_float = _number(float, "a number", lambda v: v >= 0, "a number >= 0")
share = _number(float, "a number", lambda v: 0 <= v <= 1, "a number between 0 and 1")
overlap = _number(float, "a number", lambda v: 0 < v <= 1, "a number in (0, 1], e.g. 0.8")
port = _number(int, "a port number", lambda v: 1 <= v <= 65535, "a port between 1 and 65535")


def name_list(text: str) -> list[str]:
    """A comma-separated list that must name something: ``--tasks ""`` is a mistake, not "all"."""
    names = [part.strip() for part in text.split(",") if part.strip()]
    if not names:
        raise argparse.ArgumentTypeError(
            f"'{text}' names nothing; pass comma-separated names, or drop the flag for all"
        )
    return names


def check_device(device: str) -> None:
    """Refuse a device this machine cannot run on before any model is loaded."""
    kind, _, index = device.strip().partition(":")
    if kind not in ("cpu", "cuda", "mps") or (index and not index.isdigit()):
        raise HarnessError(
            f"unknown device '{device}'{did_you_mean(kind, ['cpu', 'cuda', 'mps'])}; "
            "use cpu, cuda, cuda:N or mps"
        )
    if kind == "cpu":
        return
    import torch

    if kind == "mps":
        if not torch.backends.mps.is_available():
            raise HarnessError("--device mps: no Apple GPU on this machine; use --device cpu")
        return
    if not torch.cuda.is_available():
        build = "a CPU-only PyTorch build" if torch.version.cuda is None else "no visible GPU"
        raise HarnessError(
            f"--device {device}: CUDA is not available ({build}); use --device cpu "
            "or install a CUDA build of PyTorch"
        )
    count = torch.cuda.device_count()
    if index and int(index) >= count:
        raise HarnessError(
            f"--device {device}: this machine has {count} GPU(s) (cuda:0..cuda:{count - 1}); "
            "pick one of those"
        )
