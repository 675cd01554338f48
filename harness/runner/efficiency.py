"""HELM's efficiency family for one task: time per request, tokens in and out, memory.

Measured by the runner around the backend call, so the numbers cover the model's work and
not the scoring (a toxicity classifier, ROUGE). Tokens in are the prompt tokens of each
request as the model's tokenizer counts them (no credit for prefix reuse); tokens out are
the generated tokens, or the scored continuation tokens of a loglikelihood request.
Throughput uses the tokens the backend actually ran (``tokens_processed``, where a shared
prompt prefix counts once). Peak memory is the process's peak resident set so far (it
never goes down, so a later task reports at least an earlier one's), plus the accelerator's
peak allocation during the task when there is one.
"""

from __future__ import annotations

import resource
import sys
from collections.abc import Sequence
from typing import Any

from harness.backends.requests import (
    GenerationRequest,
    GenerationResult,
    LoglikelihoodRequest,
    LoglikelihoodResult,
    RollingRequest,
    RollingResult,
)
from harness.metrics.result import MetricResult

Request = LoglikelihoodRequest | RollingRequest | GenerationRequest
Result = LoglikelihoodResult | RollingResult | GenerationResult

EFFICIENCY_METRICS = (
    "eff_s_per_request",
    "eff_tokens_in",
    "eff_tokens_out",
    "eff_tokens_per_s",
    "eff_peak_rss_mib",
)


def request_text(request: Request) -> str:
    """The prompt text of a request."""
    if isinstance(request, LoglikelihoodRequest):
        return request.context
    if isinstance(request, GenerationRequest):
        return request.prompt
    return request.text


def output_tokens(result: Result) -> int:
    """Tokens the model produced or scored for one request."""
    return result.n_tokens


def peak_rss_mib() -> float:
    """The process's peak resident set size in MiB (Linux reports KiB, macOS bytes)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def reset_accelerator_peak() -> None:
    """Start the accelerator's peak-memory counter afresh (no-op without CUDA)."""
    torch = sys.modules.get("torch")
    if torch is not None and torch.cuda.is_available():
        torch.cuda.reset_peak_memory_stats()


def accelerator_peak_mib() -> float | None:
    """Peak CUDA memory allocated since the last reset, None without CUDA."""
    torch = sys.modules.get("torch")
    if torch is None or not torch.cuda.is_available():
        return None
    return float(torch.cuda.max_memory_allocated()) / (1024 * 1024)


def efficiency_results(
    requests: Sequence[Request],
    results: Sequence[Result],
    *,
    wall_time_s: float,
    tokens_processed: int,
    tokenizer: Any,
    n_items: int,
) -> list[MetricResult]:
    """The efficiency numbers of one task's backend call, as task-level results.

    Per-request values are means over the requests; each result's ``n`` is the task's
    ``n_items``, as for its other metrics, and ``extra`` says how many requests there were.
    """
    from harness.backends.encoding import encode_text

    n = len(requests)
    if n == 0:
        return []

    def result(name: str, value: float, higher_is_better: bool, **extra: str) -> MetricResult:
        return MetricResult(
            name=name,
            value=value,
            stderr=None,
            ci_low=None,
            ci_high=None,
            n=n_items,
            higher_is_better=higher_is_better,
            extra={"requests": str(n), **extra},
        )

    tokens_out = sum(output_tokens(r) for r in results)
    out = [result("eff_s_per_request", wall_time_s / n, False, wall_time_s=f"{wall_time_s:.3f}")]
    if tokenizer is not None:  # a backend without a local tokenizer cannot count prompts
        prompts = [request_text(r) for r in requests]
        lengths = {p: len(encode_text(tokenizer, p)) for p in dict.fromkeys(prompts)}
        tokens_in = sum(lengths[p] for p in prompts)
        out.append(result("eff_tokens_in", tokens_in / n, False, total=str(tokens_in)))
    out += [
        result("eff_tokens_out", tokens_out / n, False, total=str(tokens_out)),
        result(
            "eff_tokens_per_s",
            tokens_processed / max(wall_time_s, 1e-9),
            True,
            tokens_processed=str(tokens_processed),
        ),
        result("eff_peak_rss_mib", peak_rss_mib(), False, scope="process peak so far"),
    ]
    accelerator = accelerator_peak_mib()
    if accelerator is not None:
        out.append(result("eff_peak_gpu_mib", accelerator, False, scope="task peak"))
    return out
