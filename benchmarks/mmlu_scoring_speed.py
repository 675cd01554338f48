"""Time MMLU scoring, 0-shot and 5-shot: items/s, tokens/s, peak memory. Prints figures only.

python benchmarks/mmlu_scoring_speed.py [--model smollm2-135m-instruct] [--subjects 3] [--limit 40]
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path

from harness.models import load_model
from harness.runner import EvalOptions, run_eval
from harness.store import open_store

SUBJECTS = ["abstract_algebra", "anatomy", "astronomy", "college_biology", "high_school_geography"]


def peak_rss_mib() -> float:
    """Peak resident memory of this process so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="smollm2-135m-instruct")
    parser.add_argument("--subjects", type=int, default=3)
    parser.add_argument("--limit", type=int, default=40)
    parser.add_argument("--batch-size", type=int, default=8)
    args = parser.parse_args()

    started = time.perf_counter()
    model = load_model(args.model)
    print(
        f"model {model.name}: loaded in {time.perf_counter() - started:.1f} s, peak RSS {peak_rss_mib():.0f} MiB"
    )
    tasks = [f"mmlu_{s}" for s in SUBJECTS[: args.subjects]]
    with tempfile.TemporaryDirectory() as tmp:
        store = Path(tmp) / "bench.db"
        for shots in (0, 5):
            options = EvalOptions(
                model=args.model,
                suite="mmlu",
                tasks=tasks,
                limit=args.limit,
                shots=shots,
                store=store,
                batch_size=args.batch_size,
                progress=False,
            )
            report = run_eval(options, model=model, log=lambda _: None)
            with open_store(store) as db:
                items = len(db.get_samples(report.run_id))
                acc = next(
                    s.value
                    for s in db.get_scores(report.run_id, "aggregate")
                    if s.name == "mmlu" and s.metric == "acc"
                )
            print(
                f"{shots}-shot: {items} items in {report.wall_time_s:.1f} s = {items / report.wall_time_s:.2f} items/s, "
                f"{report.tokens_processed:,} tokens = {report.tokens_processed / report.wall_time_s:,.0f} tokens/s, "
                f"acc {acc:.3f}, peak RSS {peak_rss_mib():.0f} MiB"
            )


if __name__ == "__main__":
    main()
