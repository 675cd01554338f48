"""Generation throughput: the static path, continuous batching, the run's one generation
stream and lm-eval's HFLM, in one run.

python benchmarks/generation_throughput.py [--limit 3] [--bbh PATTERNS] [--toxicity PATTERNS]
    [--batch-size 8] [--generation-rows N] [--no-lm-eval] [--no-per-task]

Builds the generation requests of BBH (answer-only and chain of thought) and of the toxicity
suite (8 nucleus samples per prompt) at ``--limit`` items per task, as the runner builds
them, and sends them to the packaged SmolLM2 (float32, this process) through the hf backend:

- ``static``: the path before issue 23 (``continuous_batching=False``), task by task:
  ``model.generate`` on batches of ``--batch-size`` rows, longest first, each batch running
  until its longest row ends;
- ``cont./task``: continuous batching, still task by task (``--batch-size`` rows);
- ``stream``: what ``harness eval`` does now: every task's requests in one continuously
  refilled batch (``generate_stream``, the runner's generation stream) of up to
  ``--generation-rows`` rows;
- ``lm-eval HFLM``: lm-eval's ``generate_until`` on the same BBH prompts, stops and token
  limits, all requests in one call, ``--batch-size`` rows.

Printed per suite and engine: wall time, generated tokens, generated tokens per second, the
speed-up over the static path, and how many greedy outputs equal the static path's (BBH;
toxicity samples are drawn from each request's own seeded stream, so they agree between the
continuous paths but not with the static one). ``--bbh``/``--toxicity`` take task-name
patterns as ``--tasks`` does (default all; a pattern of ``none`` skips the suite).
"""

from __future__ import annotations

import argparse
import time
from dataclasses import dataclass

from harness.backends import GenerationRequest, HFBackend
from harness.data.root import resolve_data_root
from harness.models import LoadedModel, load_model
from harness.tasks import Task, load_suite

MODEL = "smollm2-135m-instruct"


@dataclass
class Timing:
    seconds: float
    tokens: int
    texts: list[str]


def suite_requests(
    suite: str, patterns: list[str] | None, limit: int
) -> list[list[GenerationRequest]]:
    """Each selected task's generation requests, task by task (as the runner sends them)."""
    data_root = resolve_data_root(None)
    out = []
    for config in load_suite(suite).select(patterns):
        items = Task(config, data_root).build_items(limit)
        requests = [r for item in items for r in item.requests]
        out.append([r for r in requests if isinstance(r, GenerationRequest)])
    return out


def run_harness(backend: HFBackend, tasks: list[list[GenerationRequest]]) -> Timing:
    """Task by task, as the runner sent generation requests before the generation stream."""
    started = time.perf_counter()
    results = [result for requests in tasks for result in backend.generate(requests)]
    seconds = time.perf_counter() - started
    return Timing(seconds, sum(r.n_tokens for r in results), [r.text for r in results])


def run_stream(backend: HFBackend, tasks: list[list[GenerationRequest]]) -> Timing:
    """Every task in one stream, as the runner sends them now."""
    flat = [r for requests in tasks for r in requests]
    groups, start = [], 0
    for requests in tasks:
        groups.append(range(start, start + len(requests)))
        start += len(requests)
    started = time.perf_counter()
    results = dict(pair for batch in backend.generate_stream(flat, groups) for pair in batch)
    seconds = time.perf_counter() - started
    ordered = [results[i] for i in range(len(flat))]
    return Timing(seconds, sum(r.n_tokens for r in ordered), [r.text for r in ordered])


def run_lm_eval(
    loaded: LoadedModel, tasks: list[list[GenerationRequest]], batch_size: int
) -> Timing:
    from lm_eval.api.instance import Instance
    from lm_eval.models.huggingface import HFLM

    lm = HFLM(pretrained=loaded.model, tokenizer=loaded.tokenizer, batch_size=batch_size)
    instances = [
        Instance(
            request_type="generate_until",
            doc={},
            arguments=(
                r.prompt,
                {
                    "until": list(r.config.stop),
                    "max_gen_toks": r.config.max_new_tokens,
                    "do_sample": False,
                },
            ),
            idx=i,
        )
        for i, r in enumerate(r for requests in tasks for r in requests)
    ]
    started = time.perf_counter()
    texts = lm.generate_until(instances, disable_tqdm=True)
    seconds = time.perf_counter() - started
    # lm-eval returns text only: its tokens are counted by encoding that text again.
    tokens = sum(len(loaded.tokenizer.encode(t, add_special_tokens=False)) for t in texts)
    return Timing(seconds, tokens, texts)


def line(name: str, timing: Timing, static: Timing, greedy: bool) -> str:
    same = sum(a == b for a, b in zip(timing.texts, static.texts, strict=True))
    agreement = f"identical to static {same}/{len(static.texts)}" if greedy else "sampled"
    return (
        f"  {name:12} {timing.seconds:8.1f} s {timing.tokens:7,} tokens "
        f"{timing.tokens / timing.seconds:7.1f} tok/s  static/this {static.seconds / timing.seconds:5.2f}x  "
        f"{agreement}"
    )


def patterns(text: str | None) -> list[str] | None:
    return None if text is None else [p for p in text.split(",") if p]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=3)
    parser.add_argument("--bbh", help="BBH task patterns, comma-separated (default: all)")
    parser.add_argument("--toxicity", help="toxicity task patterns, comma-separated (default: all)")
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--generation-rows", type=int, default=None)
    parser.add_argument("--no-lm-eval", action="store_true")
    parser.add_argument(
        "--no-per-task", action="store_true", help="skip the cont./task row (saves time)"
    )
    args = parser.parse_args()

    loaded = load_model(MODEL)
    for suite, chosen in (("bbh", args.bbh), ("toxicity", args.toxicity)):
        if chosen == "none":
            continue
        tasks = suite_requests(suite, patterns(chosen), args.limit)
        n = sum(len(t) for t in tasks)
        greedy = not any(r.config.do_sample for t in tasks for r in t)
        print(
            f"{suite}: {len(tasks)} tasks, {n} generation requests (--limit {args.limit})",
            flush=True,
        )
        static = run_harness(
            HFBackend(loaded, batch_size=args.batch_size, continuous_batching=False), tasks
        )
        print(line("static", static, static, greedy), flush=True)
        if not args.no_per_task:
            continuous = run_harness(HFBackend(loaded, batch_size=args.batch_size), tasks)
            print(line("cont./task", continuous, static, greedy), flush=True)
        streamed = run_stream(
            HFBackend(loaded, batch_size=args.batch_size, generation_rows=args.generation_rows),
            tasks,
        )
        print(line("stream", streamed, static, greedy), flush=True)
        if suite == "bbh" and not args.no_lm_eval:
            lm_eval = run_lm_eval(loaded, tasks, args.batch_size)
            print(line("lm-eval HFLM", lm_eval, static, greedy), flush=True)
            print(
                f"  lm-eval/stream wall {lm_eval.seconds / streamed.seconds:.2f}x; "
                f"stream identical to lm-eval "
                f"{sum(a == b for a, b in zip(streamed.texts, lm_eval.texts, strict=True))}/{n}",
                flush=True,
            )


if __name__ == "__main__":
    main()
