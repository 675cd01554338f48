"""Write a stored run as a results JSON in lm-eval's schema, for tools that read lm-eval output."""

from __future__ import annotations

from typing import Any

from harness.store import Store


def lm_eval_results(store: Store, run_id: str) -> dict[str, Any]:
    """lm-eval 0.4's ``results``/``groups``/``configs``/``n-shot``/``n-samples`` layout for one run."""
    run = store.get_run(run_id)
    tasks = store.get_task_results(run.run_id)
    model = store.get_model(run.model_hash)
    results: dict[str, dict[str, Any]] = {}
    groups: dict[str, dict[str, Any]] = {}
    for score in store.get_scores(run.run_id):
        target = results if score.scope == "task" else groups
        entry = target.setdefault(score.name, {"alias": score.name})
        # lm-eval's "metric,filter" keys: our "exact_match,strict-match" names its filter
        metric, _, filter_name = score.metric.partition(",")
        filter_name = filter_name or "none"
        entry[f"{metric},{filter_name}"] = score.value
        entry[f"{metric}_stderr,{filter_name}"] = (
            score.stderr if score.stderr is not None else "N/A"
        )
    return {
        "results": results,
        "groups": groups,
        "configs": {t.task: t.details.get("config", {}) for t in tasks},
        # an imported run keeps lm-eval's task versions; ours are the task's content hash
        "versions": {t.task: t.details.get("lm_eval_version") or t.task_hash[:12] for t in tasks},
        "n-shot": {t.task: t.num_fewshot for t in tasks},
        "n-samples": {
            t.task: {"original": t.details.get("n_docs", t.n_items), "effective": t.n_items}
            for t in tasks
        },
        "higher_is_better": {},
        "config": {
            "model": "harness-lab",
            "model_args": run.model_spec,
            "model_hash": run.model_hash,
            "model_name": model.name if model else run.model_spec,
            "batch_size": run.config.get("batch_size"),
            "device": run.device,
            "limit": run.config.get("limit"),
        },
        "git_hash": run.git_commit,
        "date": run.created_at.timestamp(),
        "harness_version": run.harness_version,
        "run_id": run.run_id,
        "total_evaluation_time_seconds": str(run.wall_time_s),
    }
