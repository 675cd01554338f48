"""An LLM judge's questions as loglikelihood requests, and its answers as probabilities.

Who asks (the runner for a task with ``judge:``, the constitutional recipe for its AI
feedback) sends these requests to a judge backend; the judge's verdict is the normalised
probability of `` (A)`` against `` (B)`` (:func:`harness.metrics.judge.choice_probability`).

- Pairwise: which of two replies better answers ``question``. Four requests per pair:
  `` (A)`` and `` (B)`` with the candidate shown first, then with it shown second, so a
  constant pull towards one position cancels in the order average.
- Rubric: does a reply meet a written standard, (A) Yes or (B) No. Two requests per reply.

The prompts show the request as a ``Human:`` turn (hh-rlhf's dialogue form; a prompt that
already is a dialogue is shown as it is) and end in ``The answer is:``, so the judge's next
tokens are `` (A)`` or `` (B)``.
"""

from __future__ import annotations

from collections.abc import Sequence

from harness.backends.requests import LoglikelihoodRequest
from harness.errors import HarnessError
from harness.metrics.judge import choice_probability
from harness.tasks.config import TaskConfig

HUMAN = "Human:"
CHOICES = (" (A)", " (B)")
PAIRWISE_REQUESTS = 4
RUBRIC_REQUESTS = 2


def _conversation(prompt: str) -> str:
    return (prompt if prompt.lstrip().startswith(HUMAN) else f"{HUMAN} {prompt}").strip()


def comparison_prompt(question: str, prompt: str, first: str, second: str) -> str:
    """The multiple-choice question a judge answers with `` (A)`` or `` (B)``."""
    return (
        "Consider the following conversation between a human and an assistant:\n"
        f"{_conversation(prompt)}\n{question}\nOptions:\n(A) {first.strip()}\n"
        f"(B) {second.strip()}\nThe answer is:"
    )


def rubric_prompt(rubric: str, prompt: str, response: str) -> str:
    """The yes/no question a judge answers about one reply: (A) it meets ``rubric``, (B) not."""
    return (
        "Consider the following conversation between a human and an assistant:\n"
        f"{_conversation(prompt)} {response.strip()}\nDoes the assistant's last reply meet "
        f"this standard: {rubric}\nOptions:\n(A) Yes\n(B) No\nThe answer is:"
    )


def pairwise_requests(
    question: str, prompt: str, candidate: str, baseline: str
) -> list[LoglikelihoodRequest]:
    """(A) and (B) after the question with the candidate shown first, then shown second."""
    return [
        LoglikelihoodRequest(context, choice)
        for context in (
            comparison_prompt(question, prompt, candidate, baseline),
            comparison_prompt(question, prompt, baseline, candidate),
        )
        for choice in CHOICES
    ]


def pairwise_verdict(logprobs: Sequence[float]) -> tuple[float, float]:
    """(P(candidate better) shown first, shown second) from :func:`pairwise_requests`' answers."""
    a1, b1, a2, b2 = logprobs
    # Swapped order: the candidate is (B), so its probability is 1 - P(A).
    return choice_probability(a1, b1), 1 - choice_probability(a2, b2)


def rubric_requests(rubric: str, prompt: str, reply: str) -> list[LoglikelihoodRequest]:
    """(A) Yes and (B) No after the rubric question about ``reply``."""
    context = rubric_prompt(rubric, prompt, reply)
    return [LoglikelihoodRequest(context, choice) for choice in CHOICES]


def rubric_verdict(logprobs: Sequence[float]) -> float:
    """P(the reply meets the rubric) from :func:`rubric_requests`' answers."""
    yes, no = logprobs
    return choice_probability(yes, no)


JUDGE_METRICS = ("judge_rubric", "judge_pairwise")


def check_judge(config: TaskConfig) -> None:
    """Refuse a task whose judge metrics and ``judge:`` block do not fit together."""
    where = f"task '{config.task}'"
    judge = config.judge
    wanted = [m for m in config.metric_list if m in JUDGE_METRICS]
    if judge is None:
        if wanted:
            raise HarnessError(
                f"{where}: metric {wanted[0]} needs a judge: block "
                "(e.g. judge: {rubric: '...', baseline: MODEL}); add one"
            )
        return
    if not wanted:
        raise HarnessError(
            f"{where}: judge: is set but metric_list has neither judge_rubric nor "
            "judge_pairwise; add one or drop judge:"
        )
    if config.output_type != "generate_until" or config.agent or config.perturbations:
        raise HarnessError(
            f"{where}: judge: applies to plain generate_until tasks (no agent, no "
            "perturbations); drop judge: or those keys"
        )
    if "judge_rubric" in wanted and not judge.rubric:
        raise HarnessError(f"{where}: judge_rubric needs judge.rubric, the standard to grade by")
    if "judge_pairwise" in wanted and not judge.baseline:
        raise HarnessError(
            f"{where}: judge_pairwise needs judge.baseline, the model whose generations the "
            "model's are compared with (a model source or variant; or --judge-baseline)"
        )
    if judge.model is None and (judge.backend != "hf" or judge.base_urls):
        raise HarnessError(
            f"{where}: judge.backend={judge.backend} needs judge.model (the served model's id); "
            "set it, or drop judge.backend and judge.base_urls to let the model judge itself"
        )
    if judge.reference is not None:
        if judge.reference not in config.metric_list or judge.reference in JUDGE_METRICS:
            raise HarnessError(
                f"{where}: judge.reference '{judge.reference}' must be another metric in "
                f"metric_list ({', '.join(config.metric_list)})"
            )
    elif judge.reference_pass is not None:
        raise HarnessError(f"{where}: judge.reference_pass needs judge.reference; set both")
