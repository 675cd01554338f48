"""Non-inferiority verdicts: is the candidate worse than the baseline by more than allowed?

A margin is how much worse the candidate may be, in the metric's own units (0.01 of
accuracy, 0.5 of BLEU). The verdict reads the 95% interval of the paired difference:

- ``regress``: the whole interval is worse than the margin;
- ``pass``: the whole interval is within the margin (non-inferiority shown);
- ``inconclusive``: the interval straddles the margin, so more items are needed before
  either answer can be trusted.

"Worse" is a lower value for higher-is-better metrics and a higher one otherwise.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Literal

from harness.errors import HarnessError

Verdict = Literal["pass", "regress", "inconclusive"]
VERDICTS: tuple[Verdict, ...] = ("pass", "regress", "inconclusive")

Policy = Literal["fail-on-inconclusive", "warn"]
POLICIES: tuple[Policy, ...] = ("fail-on-inconclusive", "warn")

EXIT_CODES: dict[Verdict, int] = {"pass": 0, "regress": 1, "inconclusive": 3}


def verdict(ci_low: float, ci_high: float, margin: float, higher_is_better: bool) -> Verdict:
    """The verdict of an interval of ``candidate - baseline`` against a margin."""
    worst, best = (ci_low, ci_high) if higher_is_better else (-ci_high, -ci_low)
    if best < -margin:
        return "regress"
    if worst >= -margin:
        return "pass"
    return "inconclusive"


def overall(verdicts: Iterable[Verdict]) -> Verdict:
    """One verdict for several: any regression wins, then any doubt, else pass."""
    found = set(verdicts)
    if "regress" in found:
        return "regress"
    if "inconclusive" in found:
        return "inconclusive"
    return "pass"


def exit_code(result: Verdict, policy: Policy) -> int:
    """0 pass, 1 regress, 3 inconclusive (0 under the ``warn`` policy)."""
    if result == "inconclusive" and policy == "warn":
        return 0
    return EXIT_CODES[result]


def parse_margins(items: Sequence[str]) -> dict[str, float]:
    """``["mmlu.acc=0.01", "bleu=1"]`` -> ``{"mmlu.acc": 0.01, "bleu": 1.0}``."""
    margins: dict[str, float] = {}
    for item in items:
        key, sep, value = item.partition("=")
        key = key.strip()
        try:
            number = float(value)
        except ValueError:
            number = float("nan")
        if not sep or not key or number != number:
            raise HarnessError(
                f"bad margin '{item}'; write METRIC=VALUE or SUITE_OR_TASK.METRIC=VALUE, "
                "e.g. --margin acc=0.01"
            )
        margins[key] = number
    return margins


def margin_for(margins: Mapping[str, float], name: str, metric: str) -> tuple[float, str | None]:
    """The margin of ``metric`` on a task or suite ``name``, and the key that set it.

    The most specific key wins: ``name.metric``, then ``metric``; no key means 0.
    """
    for key in (f"{name}.{metric}", metric):
        if key in margins:
            return margins[key], key
    return 0.0, None
