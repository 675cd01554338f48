"""Multiple-choice accuracy: the model picks the choice with the highest loglikelihood.

``acc`` compares raw loglikelihoods, which favours short choices. ``acc_norm`` divides by
each choice's length in characters, exactly as lm-eval 0.4 does (``float(len(choice))`` on
``doc_to_choice``'s strings: the length of "A", not of the scored continuation " A"; tasks
hand the choices over without the target delimiter).
``acc_bytes`` divides by the UTF-8 byte length instead; it equals ``acc_norm`` for ASCII
choices and differs where multi-byte characters make byte and character counts diverge.
Ties go to the first choice (numpy ``argmax``), as in lm-eval.
"""

import numpy as np
import numpy.typing as npt

from harness.errors import HarnessError
from harness.metrics.base import MeanMetric, missing_field
from harness.metrics.outcome import ItemOutcome
from harness.metrics.registry import register_metric

_MULTIPLE_CHOICE = frozenset({"multiple_choice"})


def _logprobs_and_gold(metric: str, outcome: ItemOutcome) -> tuple[npt.NDArray[np.float64], int]:
    """The choice loglikelihoods and a gold index checked to point at one of them."""
    if outcome.choice_logprobs is None:
        raise missing_field(metric, "choice_logprobs", "multiple_choice")
    if outcome.gold is None:
        raise missing_field(metric, "gold", "multiple_choice")
    n = len(outcome.choice_logprobs)
    if not 0 <= outcome.gold < n:
        raise HarnessError(
            f"metric '{metric}': gold index {outcome.gold} is outside the {n} choices; "
            "fix the task's gold/target mapping"
        )
    return np.asarray(outcome.choice_logprobs, dtype=np.float64), outcome.gold


def _choices(metric: str, outcome: ItemOutcome, n: int) -> tuple[str, ...]:
    """The choice strings, checked to match the loglikelihoods one to one."""
    if outcome.choices is None:
        raise missing_field(metric, "choices", "multiple_choice")
    if len(outcome.choices) != n:
        raise HarnessError(
            f"metric '{metric}': {len(outcome.choices)} choices but {n} loglikelihoods; "
            "record one loglikelihood per choice string"
        )
    return outcome.choices


def _hit(scores: npt.NDArray[np.float64], gold: int) -> float:
    return 1.0 if int(np.argmax(scores)) == gold else 0.0


@register_metric("acc")
class Accuracy(MeanMetric):
    """1.0 when the highest-loglikelihood choice is the gold one (lm-eval's ``acc``)."""

    name = "acc"
    higher_is_better = True
    output_types = _MULTIPLE_CHOICE

    def item_value(self, outcome: ItemOutcome) -> float:
        logprobs, gold = _logprobs_and_gold(self.name, outcome)
        return _hit(logprobs, gold)


@register_metric("acc_norm")
class CharNormalizedAccuracy(MeanMetric):
    """Accuracy after dividing each loglikelihood by the choice's length in characters.

    This is lm-eval 0.4's ``acc_norm`` to the bit: ``argmax(lls / [float(len(c)) ...])``
    with numpy float64 division (an empty choice divides by zero to -inf, as there).
    """

    name = "acc_norm"
    higher_is_better = True
    output_types = _MULTIPLE_CHOICE

    def item_value(self, outcome: ItemOutcome) -> float:
        logprobs, gold = _logprobs_and_gold(self.name, outcome)
        choices = _choices(self.name, outcome, len(logprobs))
        lengths = np.array([float(len(c)) for c in choices])
        with np.errstate(divide="ignore", invalid="ignore"):
            return _hit(logprobs / lengths, gold)


@register_metric("acc_bytes")
class ByteNormalizedAccuracy(MeanMetric):
    """Accuracy after dividing each loglikelihood by the choice's UTF-8 byte length.

    Byte length makes the normalisation independent of how a script maps to characters;
    this is lm-eval's ``acc_bytes``.
    """

    name = "acc_bytes"
    higher_is_better = True
    output_types = _MULTIPLE_CHOICE

    def item_value(self, outcome: ItemOutcome) -> float:
        logprobs, gold = _logprobs_and_gold(self.name, outcome)
        choices = _choices(self.name, outcome, len(logprobs))
        lengths = np.array([float(len(c.encode("utf-8"))) for c in choices])
        with np.errstate(divide="ignore", invalid="ignore"):
            return _hit(logprobs / lengths, gold)
