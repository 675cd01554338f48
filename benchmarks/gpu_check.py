"""On a GPU machine: MMLU 5-shot with our ``hf`` backend in bf16 next to lm-eval on the same
GPU, then one LoRA quick profile.

python benchmarks/gpu_check.py [--subjects all|abstract_algebra,anatomy] [--limit 10]
    [--batch-size 32] [--no-lora]

Without CUDA it refuses in one line (exit 2): it runs nowhere else, and nothing depends on
it. Both engines get the same (context, continuation) pairs, built by our MMLU task (as in
benchmarks/mmlu_vs_lmeval.py), load the packaged SmolLM2 in bfloat16 on ``cuda`` and run
one after the other in this process. Printed: load and scoring wall times, peak GPU
memory, the speed ratio, identical predicted letters and the largest per-choice
loglikelihood difference (bf16 rounding makes it larger than float32's 1e-4; it is
printed, not judged). Then ``harness train lora --profile quick`` on the GPU in a
throw-away harness home and store: training time, steps, effective batch, final loss.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from mmlu_vs_lmeval import MODEL, build_requests, predictions

DTYPE = "bfloat16"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subjects", default="all", help="'all' or comma-separated subjects")
    parser.add_argument("--limit", type=int, default=10, help="questions per subject")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--no-lora", action="store_true", help="skip the LoRA quick profile")
    args = parser.parse_args()

    import torch

    if not torch.cuda.is_available():
        print(
            "gpu_check.py needs a CUDA GPU and none is visible here; run it on a GPU machine",
            file=sys.stderr,
        )
        return 2
    device = "cuda"
    print(f"torch {torch.__version__}, {torch.cuda.get_device_name(0)}, {DTYPE}")
    torch.zeros(1, device=device)  # CUDA context start-up stays out of both engines' times
    subjects = mmlu_subjects() if args.subjects == "all" else args.subjects.split(",")
    records = build_requests(subjects, args.limit, shots=5)
    questions = len({(r["subject"], r["item"]) for r in records})
    print(f"MMLU 5-shot: {len(subjects)} subjects, {questions} questions, {len(records)} requests")
    lm_eval = timed(device, lambda: score_with_lm_eval(records, args.batch_size, device))
    ours = timed(device, lambda: score_with_harness(records, args.batch_size, device))
    compare(records, lm_eval, ours)
    if not args.no_lora:
        lora_quick_profile()
    return 0


def mmlu_subjects() -> list[str]:
    from harness.tasks import load_suite

    return [task.task.removeprefix("mmlu_") for task in load_suite("mmlu").tasks]


def timed(device: str, run: Callable[[], tuple[list[Any], float]]) -> dict[str, Any]:
    """One engine's results, load and scoring seconds and peak GPU memory."""
    import gc

    import torch

    torch.cuda.reset_peak_memory_stats(device)
    started = time.perf_counter()
    results, load_s = run()
    torch.cuda.synchronize(device)
    total = time.perf_counter() - started
    peak = torch.cuda.max_memory_allocated(device) / 2**30
    gc.collect()
    torch.cuda.empty_cache()
    return {"results": results, "load_s": load_s, "score_s": total - load_s, "peak_gib": peak}


def score_with_lm_eval(records: list[dict], batch_size: int, device: str) -> tuple[list, float]:
    from lm_eval.api.instance import Instance
    from lm_eval.models.huggingface import HFLM

    from harness.models.gguf import ensure_converted
    from harness.models.packaged import PACKAGED_MODELS, packaged_file

    started = time.perf_counter()
    folder = ensure_converted(packaged_file(PACKAGED_MODELS[MODEL]))
    lm = HFLM(pretrained=str(folder), batch_size=batch_size, device=device, dtype=DTYPE)
    load_s = time.perf_counter() - started
    instances = [
        Instance(
            request_type="loglikelihood", doc={}, arguments=(r["context"], r["continuation"]), idx=i
        )
        for i, r in enumerate(records)
    ]
    results = lm.loglikelihood(instances, disable_tqdm=True)
    return [list(x) for x in results], load_s


def score_with_harness(records: list[dict], batch_size: int, device: str) -> tuple[list, float]:
    """Subject by subject, as the runner calls the backend."""
    from harness.backends import HFBackend, LoglikelihoodRequest
    from harness.models import load_model

    started = time.perf_counter()
    backend = HFBackend(load_model(MODEL, dtype=DTYPE, device=device), batch_size=batch_size)
    load_s = time.perf_counter() - started
    by_subject: dict[str, list[int]] = {}
    for index, record in enumerate(records):
        by_subject.setdefault(record["subject"], []).append(index)
    results: list[list] = [[]] * len(records)
    for indices in by_subject.values():
        requests = [
            LoglikelihoodRequest(records[i]["context"], records[i]["continuation"]) for i in indices
        ]
        for index, result in zip(indices, backend.loglikelihood(requests), strict=True):
            results[index] = [result.logprob, result.is_greedy]
    return results, load_s


def compare(records: list[dict], lm_eval: dict[str, Any], ours: dict[str, Any]) -> None:
    print(f"  {'engine':8} {'load s':>7} {'score s':>8} {'peak GPU GiB':>13}")
    for name, result in (("lm-eval", lm_eval), ("harness", ours)):
        print(
            f"  {name:8} {result['load_s']:7.1f} {result['score_s']:8.1f} "
            f"{result['peak_gib']:13.2f}"
        )
    print(
        f"  speed ratio (lm-eval / harness scoring time): {lm_eval['score_s'] / ours['score_s']:.2f}x"
    )
    theirs = predictions(records, [x for x, _ in lm_eval["results"]])
    mine = predictions(records, [x for x, _ in ours["results"]])
    same = sum(theirs[key] == mine[key] for key in theirs)
    diff = max(abs(a[0] - b[0]) for a, b in zip(lm_eval["results"], ours["results"], strict=True))
    print(
        f"  predicted letters identical: {same}/{len(theirs)}; "
        f"max |loglikelihood difference| {diff:.3g} (bf16)"
    )


def lora_quick_profile() -> None:
    """``harness train lora --profile quick`` on the GPU, in a throw-away home and store."""
    from harness.paths import harness_home

    models = harness_home() / "models"
    with tempfile.TemporaryDirectory(prefix="gpu-check-") as tmp:
        home = Path(tmp) / "home"
        home.mkdir()
        if models.is_dir():
            (home / "models").symlink_to(models)  # the converted SmolLM2 is reused
        os.environ["HARNESS_HOME"] = str(home)
        from harness.recipes import train_recipe

        started = time.perf_counter()
        variant, _ = train_recipe(
            "lora",
            store=Path(tmp) / "store.db",
            profile="quick",
            overrides=["name=gpu-check-lora", "train.device=cuda"],
        )
        wall = time.perf_counter() - started
    losses = ", ".join(f"{k} {v:.4f}" for k, v in variant.final_losses.items())
    batch = variant.details.get("batch", {})
    print(
        f"LoRA quick profile on the GPU: {variant.details['steps']} steps of "
        f"{batch.get('effective', '?')} examples, training {variant.training_seconds:.1f} s "
        f"({wall:.1f} s with loading); {losses}"
    )


if __name__ == "__main__":
    sys.exit(main())
