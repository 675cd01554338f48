"""MMLU scored by lm-eval's HFLM and by our harness on the same prompts: speed, memory, agreement.

python benchmarks/mmlu_vs_lmeval.py [--preset gate|long|deep] [--subjects a,b,c | all]
    [--limit 40] [--shots 0,5] [--batch-size 8] [--max-batch-tokens N] [--threads N]

Presets are the workloads users run (a preset sets subjects, limit and shots, in place of
those flags): ``gate``, every subject x 2 items, 5-shot and 0-shot (a CI gate);
``long``, the three subjects with the longest questions x 15, 0-shot; ``deep``, three short
subjects x 40, 5-shot (one few-shot block serves many questions).

Prompts come from our MMLU task (the same (context, continuation) pairs go to both
engines; tests/integration/test_lmeval_backend_parity.py shows they are lm-eval's own).
Each engine runs in its own subprocess, one after the other, so its peak resident memory
is its own. lm-eval gets every request at once (as its evaluator gives them); the harness
gets them as its runner sends them: one stream across subjects, each subject a group.
Both load the converted SmolLM2 folder in float32. Printed per shot count: model load and
scoring wall times, scoring CPU time, tokens run through the model, peak RSS, the speed
ratio, identical predicted letters and the largest per-choice loglikelihood difference; and
the floor: in the harness's process, the time of plain batched forwards (decoder body, rows
of 128 tokens, 4 to a batch, no padding, no prefix, no mask) over as many tokens as the
harness ran, i.e. what the arithmetic alone costs on this machine, and our distance from it.
Exits 1 when the predictions differ or a loglikelihood differs by more than 1e-4.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

DEFAULT_SUBJECTS = "abstract_algebra,anatomy,astronomy"
TOLERANCE = 1e-4
MODEL = "smollm2-135m-instruct"
# (subjects, items per subject, shot counts, the speed ratio to reach per shot count)
PRESETS: dict[str, tuple[str, int, str, dict[int, float]]] = {
    "gate": ("all", 2, "5,0", {5: 4.0, 0: 2.0}),
    "long": (
        "professional_law,high_school_european_history,high_school_us_history",
        15,
        "0",
        {0: 2.0},
    ),
    "deep": (DEFAULT_SUBJECTS, 40, "5", {5: 7.7}),
}
FLOOR_ROW = 128  # tokens per row of the floor's forwards
FLOOR_ROWS = 4  # rows per forward: 512 tokens, the harness's CPU batch budget


# -- the parent: build prompts, run both engines, compare -------------------------------------


def build_requests(subjects: list[str], limit: int, shots: int) -> list[dict[str, Any]]:
    """One record per (item, choice): subject, item number, context, continuation."""
    from harness.backends import LoglikelihoodRequest
    from harness.data.root import resolve_data_root
    from harness.tasks import Task, load_suite

    data_root = resolve_data_root(None)
    suite = load_suite("mmlu")
    records = []
    for subject in subjects:
        (config,) = suite.select([f"mmlu_{subject}"])
        for number, item in enumerate(
            Task(config, data_root, num_fewshot=shots).build_items(limit)
        ):
            for request in item.requests:
                assert isinstance(request, LoglikelihoodRequest)
                records.append(
                    {
                        "subject": subject,
                        "item": number,
                        "context": request.context,
                        "continuation": request.continuation,
                    }
                )
    return records


def run_worker(engine: str, requests_path: Path, out_path: Path, args: argparse.Namespace) -> dict:
    command = [
        sys.executable,
        __file__,
        "--worker",
        engine,
        "--requests",
        str(requests_path),
        "--out",
        str(out_path),
        "--batch-size",
        str(args.batch_size),
        "--max-batch-tokens",
        str(args.max_batch_tokens),
        "--threads",
        str(args.threads),
    ]
    subprocess.run(command, check=True)
    result: dict = json.loads(out_path.read_text())
    return result


def predictions(records: list[dict], logprobs: list[float]) -> dict[tuple[str, int], int]:
    """Per (subject, item), the index of the choice with the highest loglikelihood."""
    choices: dict[tuple[str, int], list[float]] = {}
    for record, logprob in zip(records, logprobs, strict=True):
        choices.setdefault((record["subject"], record["item"]), []).append(logprob)
    return {key: max(range(len(values)), key=values.__getitem__) for key, values in choices.items()}


def all_subjects() -> list[str]:
    """Every MMLU subject of our suite, in suite order."""
    from harness.tasks import load_suite

    return [config.task.removeprefix("mmlu_") for config in load_suite("mmlu").select(None)]


def compare(
    shots: int, records: list[dict], lm_eval: dict, ours: dict, target: float | None = None
) -> bool:
    """Print the figures for one shot count; True when the two engines agree."""
    n_items = len({(r["subject"], r["item"]) for r in records})
    print(f"\n{shots}-shot: {n_items} items, {len(records)} requests")
    print(
        f"  {'engine':8} {'load s':>7} {'score s':>8} {'cpu s':>7} {'tokens':>8} "
        f"{'tok/s':>7} {'peak RSS MiB':>13}"
    )
    for name, result in (("lm-eval", lm_eval), ("harness", ours)):
        print(
            f"  {name:8} {result['load_s']:7.1f} {result['score_s']:8.1f} {result['cpu_s']:7.1f} "
            f"{result['tokens']:8,} {result['tokens'] / result['score_s']:7.0f} "
            f"{result['peak_rss_mib']:13.0f}"
        )
    ratio = lm_eval["score_s"] / ours["score_s"]
    cpu_ratio = lm_eval["cpu_s"] / ours["cpu_s"]
    print(f"  speed ratio (lm-eval / harness): {ratio:.1f}x wall, {cpu_ratio:.1f}x cpu")
    print_floor(ours)
    theirs_letters = predictions(records, [x for x, _ in lm_eval["results"]])
    our_letters = predictions(records, [x for x, _ in ours["results"]])
    same = sum(theirs_letters[key] == our_letters[key] for key in theirs_letters)
    diffs = [abs(a[0] - b[0]) for a, b in zip(lm_eval["results"], ours["results"], strict=True)]
    worst = max(range(len(diffs)), key=diffs.__getitem__)
    diff = diffs[worst]
    greedy_same = all(
        a[1] == b[1] for a, b in zip(lm_eval["results"], ours["results"], strict=True)
    )
    agree = same == len(theirs_letters) and diff <= TOLERANCE and greedy_same
    print(
        f"  predicted letters identical: {same}/{len(theirs_letters)}; "
        f"is_greedy identical: {greedy_same}; "
        f"max |loglikelihood difference| {diff:.2e} (tolerance {TOLERANCE:g})"
    )
    if diff > TOLERANCE:
        record = records[worst]
        print(
            f"  largest difference: {record['subject']} item {record['item']} "
            f"{record['continuation']!r}: lm-eval {lm_eval['results'][worst][0]:.6f}, "
            f"harness {ours['results'][worst][0]:.6f}"
        )
    if target is None:
        target = 5.0 if shots > 0 else 1.0
    memory_ok = ours["peak_rss_mib"] <= lm_eval["peak_rss_mib"]
    print(
        f"  targets: ratio >= {target:g}: {'met' if ratio >= target else 'NOT met'}; "
        f"peak memory <= lm-eval's: {'met' if memory_ok else 'NOT met'}; "
        f"agreement: {'met' if agree else 'NOT met'}"
    )
    return agree


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preset", choices=sorted(PRESETS), help="a workload (see above)")
    parser.add_argument("--subjects", default=DEFAULT_SUBJECTS, help="comma-separated, or all")
    parser.add_argument("--limit", type=int, default=40, help="items per subject")
    parser.add_argument("--shots", default="0,5", help="comma-separated shot counts")
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument(
        "--max-batch-tokens", type=int, default=0, help="harness only (0: its default)"
    )
    parser.add_argument(
        "--threads", type=int, default=0, help="torch threads in both engines (0: torch's default)"
    )
    parser.add_argument("--worker", choices=["lm-eval", "harness"], help=argparse.SUPPRESS)
    parser.add_argument("--requests", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args)
        return

    import torch

    targets: dict[int, float] = {}
    if args.preset:
        args.subjects, args.limit, args.shots, targets = PRESETS[args.preset]
    subjects = [s.strip() for s in args.subjects.split(",") if s.strip()]
    if subjects == ["all"]:
        subjects = all_subjects()
    threads = args.threads or torch.get_num_threads()
    print(
        f"torch {torch.__version__}, {threads} threads, batch size {args.batch_size}; "
        f"{len(subjects)} subjects x {args.limit} items"
        + (f" (preset {args.preset})" if args.preset else "")
    )
    all_agree = True
    with tempfile.TemporaryDirectory() as tmp:
        for shots in (int(s) for s in args.shots.split(",")):
            records = build_requests(subjects, args.limit, shots)
            requests_path = Path(tmp) / f"requests-{shots}.json"
            requests_path.write_text(json.dumps(records))
            lm_eval = run_worker("lm-eval", requests_path, Path(tmp) / "lm-eval.json", args)
            ours = run_worker("harness", requests_path, Path(tmp) / "harness.json", args)
            all_agree &= compare(shots, records, lm_eval, ours, targets.get(shots))
    sys.exit(0 if all_agree else 1)


# -- the workers: one engine each, in its own process --------------------------------------------


def peak_rss_mib() -> float:
    """Peak resident memory of this process so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def worker(args: argparse.Namespace) -> None:
    import torch

    if args.threads:
        torch.set_num_threads(args.threads)
    records = json.loads(args.requests.read_text())
    started = time.perf_counter()
    run = score_with_lm_eval if args.worker == "lm-eval" else score_with_harness
    results, tokens, load_s, score_s, cpu_s, *extra = run(records, args, started)
    args.out.write_text(
        json.dumps(
            {
                "results": results,
                "tokens": tokens,
                "load_s": load_s,
                "score_s": score_s,
                "cpu_s": cpu_s,
                "peak_rss_mib": peak_rss_mib(),
                **(extra[0] if extra else {}),  # the harness's peak: read before the floor
            }
        )
    )


def score_with_lm_eval(records: list[dict], args: argparse.Namespace, started: float) -> tuple:
    from lm_eval.api.instance import Instance
    from lm_eval.models.huggingface import HFLM

    from harness.models.gguf import ensure_converted
    from harness.models.packaged import PACKAGED_MODELS, packaged_file

    folder = ensure_converted(packaged_file(PACKAGED_MODELS[MODEL]))
    lm = HFLM(pretrained=str(folder), batch_size=args.batch_size, device="cpu")
    load_s = time.perf_counter() - started
    instances = [
        Instance(
            request_type="loglikelihood",
            doc={},
            arguments=(r["context"], r["continuation"]),
            idx=i,
        )
        for i, r in enumerate(records)
    ]
    cpu, begun = cpu_seconds(), time.perf_counter()
    results = lm.loglikelihood(instances, disable_tqdm=True)
    score_s, cpu_s = time.perf_counter() - begun, cpu_seconds() - cpu
    # The rows lm-eval runs: one per distinct context + continuation[:-1], cut to max_length.
    rows = set()
    for r in records:
        context, continuation = lm._encode_pair(r["context"], r["continuation"])
        rows.add(tuple((context + continuation)[-(lm.max_length + 1) :][:-1]))
    tokens = sum(len(row) for row in rows)
    return [list(x) for x in results], tokens, load_s, score_s, cpu_s


def score_with_harness(records: list[dict], args: argparse.Namespace, started: float) -> tuple:
    from harness.backends import HFBackend, LoglikelihoodRequest, LoglikelihoodResult
    from harness.models import load_model

    loaded = load_model(MODEL)
    backend = HFBackend(
        loaded,
        batch_size=args.batch_size,
        max_batch_tokens=args.max_batch_tokens or None,
    )
    load_s = time.perf_counter() - started
    by_subject: dict[str, list[int]] = {}
    for index, record in enumerate(records):
        by_subject.setdefault(record["subject"], []).append(index)
    requests = [LoglikelihoodRequest(r["context"], r["continuation"]) for r in records]
    results: list[list] = [[]] * len(records)
    cpu, begun = cpu_seconds(), time.perf_counter()
    # One stream, one group per subject, as the runner sends a suite's scoring tasks.
    for answered in backend.score_stream(requests, list(by_subject.values())):
        for index, result in answered:
            assert isinstance(result, LoglikelihoodResult)
            results[index] = [result.logprob, result.is_greedy]
    score_s, cpu_s = time.perf_counter() - begun, cpu_seconds() - cpu
    peak = peak_rss_mib()  # of the scoring, not of the floor's forwards below
    floor_s = floor_seconds(loaded.model, backend.tokens_processed)
    extra = {"floor_s": floor_s, "peak_rss_mib": peak}
    return results, backend.tokens_processed, load_s, score_s, cpu_s, extra


def floor_seconds(model: Any, tokens: int) -> float:
    """Seconds for plain batched forwards of the decoder body over ``tokens`` tokens: full
    rows of ``FLOOR_ROW`` tokens, ``FLOOR_ROWS`` to a batch, no mask, no head (measured on
    whole batches, scaled to ``tokens``)."""
    import torch

    decoder = model.get_decoder()
    generator = torch.Generator().manual_seed(0)
    vocab = model.config.vocab_size
    batch = torch.randint(0, vocab, (FLOOR_ROWS, FLOOR_ROW), generator=generator)
    per_batch = FLOOR_ROWS * FLOOR_ROW
    n_batches = max(1, -(-tokens // per_batch))
    with torch.inference_mode():
        decoder(input_ids=batch)  # warm-up, not timed
        begun = time.perf_counter()
        for _ in range(n_batches):
            decoder(input_ids=batch)
        elapsed = time.perf_counter() - begun
    return elapsed * tokens / (n_batches * per_batch)


def print_floor(ours: dict) -> None:
    """The floor's time for the harness's tokens, and how far the harness is from it."""
    floor = ours.get("floor_s")
    if floor is None:
        return
    print(
        f"  floor (plain batched forward of the harness's {ours['tokens']:,} tokens): "
        f"{floor:.1f} s = {ours['tokens'] / floor:,.0f} tok/s; harness at "
        f"{ours['score_s'] / floor:.2f}x the floor ({ours['score_s'] - floor:+.1f} s)"
    )


if __name__ == "__main__":
    main()
