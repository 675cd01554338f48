"""Generation-heavy suites through llama.cpp's server vs the in-process hf backend. Prints figures only.

python benchmarks/served_vs_inprocess.py [--dialogues 20] [--toxicity-limit 2] [--slots 1]

Runs DialogSum (0-shot, the first N test dialogues, greedy) and the toxicity suite
(--limit per task, 8 nucleus samples per prompt) once with ``--backend hf`` (the converted
fp32 folder in this process) and once with ``--backend openai`` against a llama.cpp server
serving the packaged SmolLM2 GGUF (Q4_1) on a free loopback port, and prints the wall times,
their ratio, the scores, and how many greedy DialogSum outputs are identical. The two
engines run different weights (fp32 vs 4-bit blocks), so identical outputs are a measure
of agreement, not of correctness.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from harness.backends.llama_cpp_server import LlamaServer, llama_cpp_missing, smollm2_gguf
from harness.runner import EvalOptions, run_eval
from harness.store import open_store

MODEL = "smollm2-135m-instruct"


def _run(
    store: Path, suite: str, tasks: list[str] | None, limit: int, **backend: object
) -> tuple[str, float]:
    options = EvalOptions(
        model=MODEL, suite=suite, tasks=tasks, limit=limit, store=store, progress=False
    )
    for key, value in backend.items():
        setattr(options, key, value)
    started = time.perf_counter()
    report = run_eval(options, log=lambda _line: None)
    return report.run_id, time.perf_counter() - started


def _headline(store: Path, run_id: str, metric: str) -> float:
    with open_store(store) as db:
        scores = [s for s in db.get_scores(run_id) if s.metric == metric]
    return scores[0].value if scores else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dialogues", type=int, default=20)
    parser.add_argument("--toxicity-limit", type=int, default=2)
    args = parser.parse_args()
    if llama_cpp_missing():
        raise SystemExit("llama_cpp is not installed; run `make setup-test` first")

    with tempfile.TemporaryDirectory() as tmp:
        store = Path(tmp) / "bench.db"
        server = LlamaServer(smollm2_gguf())
        try:
            served = {"backend": "openai", "base_urls": [server.url]}
            jobs = [
                ("dialogsum", ["dialogsum_0shot"], args.dialogues, "rouge1"),
                ("toxicity", None, args.toxicity_limit, "toxic_fraction"),
            ]
            for suite, tasks, limit, metric in jobs:
                hf_run, hf_s = _run(store, suite, tasks, limit)
                served_run, served_s = _run(store, suite, tasks, limit, **served)
                line = (
                    f"{suite} (limit {limit}): hf {hf_s:.1f} s, llama.cpp {served_s:.1f} s, "
                    f"served/hf speed ratio {hf_s / served_s:.2f}x; {metric} hf "
                    f"{_headline(store, hf_run, metric):.3f} vs served "
                    f"{_headline(store, served_run, metric):.3f}"
                )
                if suite == "dialogsum":
                    with open_store(store) as db:
                        a = db.get_samples(hf_run, tasks[0])  # type: ignore[index]
                        b = db.get_samples(served_run, tasks[0])  # type: ignore[index]
                    same = sum(x.prediction == y.prediction for x, y in zip(a, b, strict=True))
                    line += f"; identical greedy summaries {same}/{len(a)}"
                print(line, flush=True)
        finally:
            server.stop()


if __name__ == "__main__":
    main()
