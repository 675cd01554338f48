"""An LLM judge's verdicts as metrics: ``judge_pairwise`` and ``judge_rubric``.

The judge is a model asked a multiple-choice question whose answers are `` (A)`` and
`` (B)``; its verdict is the normalised probability of one option from the two options'
loglikelihoods, ``P(A) = e^la / (e^la + e^lb)`` (the Constitutional AI paper's way of
turning a feedback model's log-probabilities into a soft label). Asking the model is the
caller's business (a metric never calls a model); these functions take the probabilities.

- Pairwise: the candidate's generation against a baseline's, asked in both orders.
  ``outcome.judge.pairwise = (p_first, p_second)``: the probability that the candidate is
  better when it is shown as (A), and when it is shown as (B). The preference is their
  mean, which cancels a constant pull towards one position. The verdict *flips* with order
  when the two disagree on the winner; the share of items that flip is the position-bias
  rate (a judge that always answers (A) flips on every item: rate 1.0). The win rate counts
  a preference above 1/2 as a win and exactly 1/2 as half a win.
- Rubric: ``outcome.judge.rubric``, the probability that a generation meets the rubric;
  the value is the mean probability.

Where a reference metric exists (the toxicity classifier, ROUGE), the verdict carries its
verdict on the same question (``pairwise_reference``: 1 when the reference prefers the
candidate, 0 when it prefers the baseline, 0.5 for a tie; ``rubric_reference``: 1 when the
reference says it passes), and the summary's ``extra`` reports the judge's agreement with
it over the items where the reference is decided.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from harness.metrics.base import Metric, bootstrap_result, missing_field, no_items
from harness.metrics.outcome import ItemOutcome
from harness.metrics.registry import register_metric
from harness.metrics.result import MetricResult
from harness.metrics.stats import mean_stderr


def choice_probability(logprob_a: float, logprob_b: float) -> float:
    """``P(A)`` normalised over the two options: a logistic of the loglikelihood gap."""
    gap = logprob_b - logprob_a
    if gap > 700:  # exp would overflow; the answer is 0 to double precision
        return 0.0
    return 1.0 / (1.0 + math.exp(gap))


def pairwise_preference(p_first: float, p_second: float) -> float:
    """The order-averaged probability that the candidate is better."""
    return (p_first + p_second) / 2


def position_flipped(p_first: float, p_second: float) -> bool:
    """Whether the winner changes when the two answers swap places."""
    return (p_first > 0.5) != (p_second > 0.5)


def win_value(preference: float) -> float:
    """1 for a win, 0.5 for a tie, 0 for a loss."""
    return 1.0 if preference > 0.5 else 0.5 if preference == 0.5 else 0.0


def position_bias_rate(verdicts: Sequence[tuple[float, float]]) -> float:
    """Share of pairs whose winner depends on the order they were shown in."""
    if not verdicts:
        return float("nan")
    return sum(position_flipped(a, b) for a, b in verdicts) / len(verdicts)


def agreement(judge: Sequence[float], reference: Sequence[float]) -> tuple[float, int]:
    """(share of decided items where the judge's verdict matches the reference's, how many).

    Both are probabilities of the same event (candidate wins, reply passes); an item where
    either sits exactly at 1/2 is undecided and left out.
    """
    decided = [
        (j > 0.5) == (r > 0.5)
        for j, r in zip(judge, reference, strict=True)
        if j != 0.5 and r != 0.5
    ]
    if not decided:
        return float("nan"), 0
    return sum(decided) / len(decided), len(decided)


def _verdict(metric: str, outcome: ItemOutcome, field: str) -> Any:
    value = None if outcome.judge is None else getattr(outcome.judge, field)
    if value is None:
        raise missing_field(metric, f"judge.{field}", "judged generation")
    return value


def _with_agreement(
    result: MetricResult, judge: Sequence[float], references: Sequence[float | None]
) -> MetricResult:
    known = [(j, r) for j, r in zip(judge, references, strict=True) if r is not None]
    if known:
        share, n = agreement([j for j, _ in known], [float(r) for _, r in known])
        result.extra.update({"reference_agreement": f"{share:.6g}", "reference_n": str(n)})
    return result


class JudgePairwise(Metric):
    """Win rate of a candidate's generations over a baseline's, by an LLM judge, both orders."""

    name = "judge_pairwise"
    higher_is_better = True
    output_types = frozenset({"generate_until"})

    def item_value(self, outcome: ItemOutcome) -> float:
        first, second = _verdict(self.name, outcome, "pairwise")
        return win_value(pairwise_preference(first, second))

    def summarize(
        self, outcomes: Sequence[ItemOutcome], *, seed: int = 0, n_resamples: int = 1000
    ) -> MetricResult:
        if not outcomes:
            raise no_items(self.name)
        verdicts = [_verdict(self.name, o, "pairwise") for o in outcomes]
        wins = [self.item_value(o) for o in outcomes]
        preference = [pairwise_preference(a, b) for a, b in verdicts]
        result = bootstrap_result(
            self.name,
            np.asarray(wins, dtype=np.float64),
            lambda rows: float(rows.mean()),
            higher_is_better=True,
            seed=seed,
            n_resamples=n_resamples,
            stderr=mean_stderr(wins),
            extra={
                "position_bias_rate": f"{position_bias_rate(verdicts):.6g}",
                "mean_preference": f"{float(np.mean(preference)):.6g}",
            },
        )
        references = [o.judge.pairwise_reference if o.judge else None for o in outcomes]
        return _with_agreement(result, preference, references)


class JudgeRubric(Metric):
    """Mean probability, by an LLM judge, that a generation meets a written rubric."""

    name = "judge_rubric"
    higher_is_better = True
    output_types = frozenset({"generate_until"})

    def item_value(self, outcome: ItemOutcome) -> float:
        return float(_verdict(self.name, outcome, "rubric"))

    def summarize(
        self, outcomes: Sequence[ItemOutcome], *, seed: int = 0, n_resamples: int = 1000
    ) -> MetricResult:
        if not outcomes:
            raise no_items(self.name)
        values = [self.item_value(o) for o in outcomes]
        result = bootstrap_result(
            self.name,
            np.asarray(values, dtype=np.float64),
            lambda rows: float(rows.mean()),
            higher_is_better=True,
            seed=seed,
            n_resamples=n_resamples,
            stderr=mean_stderr(values),
        )
        references = [o.judge.rubric_reference if o.judge else None for o in outcomes]
        return _with_agreement(result, values, references)


register_metric("judge_pairwise")(JudgePairwise)
register_metric("judge_rubric")(JudgeRubric)
