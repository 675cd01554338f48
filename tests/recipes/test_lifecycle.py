"""``harness lifecycle`` on a tiny plan: train, evaluate, table; a re-run repeats nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.errors import HarnessError

TINY_PLAN = """
name: tiny-life
start: tiny-random-llama
safety_suite: null
evaluate:
  dialogsum: {tasks: [dialogsum_0shot], limit: 2}
  mmlu: {tasks: [mmlu_marketing], limit: 3}
steps:
  lora:
    recipe: lora
    set: {data.limit: 2, data.max_length: 160, train.max_steps: 2, train.batch_size: 2,
          train.save_steps: 2}
  int8:
    recipe: quantize
    parent: lora
    set: {quantize.speed_tokens: 2}
profiles:
  quick: {}
  other:
    steps:
      int8: {enabled: false}
"""


def _plan(tmp_path: Path, text: str = TINY_PLAN) -> Path:
    path = tmp_path / "lifecycle.yaml"
    path.write_text(text)
    return path


def test_a_tiny_lifecycle_trains_evaluates_and_resumes(
    lab: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _trains_evaluates_and_resumes(str(lab), tmp_path, capsys)


def test_a_tiny_lifecycle_runs_on_a_postgresql_store(
    lab: Path, postgres_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """train, eval, variants and report through one shared store (lab: the variant folders)."""
    _trains_evaluates_and_resumes(postgres_url, tmp_path, capsys)


def _trains_evaluates_and_resumes(
    lab: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from harness.cli.main import main
    from harness.registry import get_variant, list_variants
    from harness.store import open_store

    plan = _plan(tmp_path)
    argv = ["lifecycle", "--profile", "quick", "--config", str(plan), "--store", str(lab)]
    argv += ["--report-dir", str(tmp_path / "reports")]
    assert main(argv) == 0
    out = capsys.readouterr().out
    variants = {v.name: v for v in list_variants(lab)}
    assert set(variants) == {"tiny-random-llama", "tiny-life-lora", "tiny-life-int8"}
    lora, int8 = variants["tiny-life-lora"], variants["tiny-life-int8"]
    assert get_variant(lab, lora.parent_id).name == "tiny-random-llama"
    assert int8.parent_id == lora.variant_id and int8.kind == "quantized"
    with open_store(lab) as store:
        runs = [r for r in store.list_runs() if r.status == "complete"]
    # Three models x two suites, each on the planned slice.
    assert sorted((r.model_hash, r.suite) for r in runs) == sorted(
        (v.weights_hash, suite) for v in variants.values() for suite in ("dialogsum", "mmlu")
    )
    for name in ("tiny-life-lora", "tiny-life-int8", "change vs parent", "rouge1", "acc"):
        assert name in out
    assert (tmp_path / "reports" / "leaderboard.md").is_file()

    assert main(argv) == 0  # everything is done: nothing trains or evaluates again
    assert capsys.readouterr().out.count("done earlier") == 2
    with open_store(lab) as store:
        assert len(store.list_runs()) == len(runs)
    assert len(list_variants(lab)) == 3


def test_a_profile_can_switch_a_step_off(lab: Path, tmp_path: Path) -> None:
    from harness.lifecycle import load_lifecycle_config

    plan = _plan(tmp_path)
    assert load_lifecycle_config(config_file=plan, profile="quick").steps["int8"].enabled
    assert not load_lifecycle_config(config_file=plan, profile="other").steps["int8"].enabled


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("recipe: quantize", "recipe: ppo"), "unknown recipe 'ppo'"),
        (("parent: lora", "parent: int8"), "parent 'int8'"),
        (("quick: {}", "fast: {}"), "no profile 'quick'"),
    ],
)
def test_a_broken_plan_fails_before_any_training(
    tmp_path: Path, change: tuple[str, str], message: str
) -> None:
    from harness.lifecycle import load_lifecycle_config

    plan = _plan(tmp_path, TINY_PLAN.replace(*change))
    with pytest.raises(HarnessError, match=message):
        load_lifecycle_config(config_file=plan, profile="quick")


def test_the_shipped_plan_loads_in_both_profiles() -> None:
    from harness.lifecycle import load_lifecycle_config

    quick = load_lifecycle_config(profile="quick")
    full = load_lifecycle_config(profile="full")
    assert quick.start == full.start == "smollm2-135m-instruct"
    assert list(quick.steps) == [
        "lora",
        "full-ft",
        "reward-model",
        "rl-detox",
        "dpo",
        "int8",
        "pruned",
        "distilled",
    ]
    assert quick.evaluate["toxicity"].limit == 1 and full.evaluate["mmlu"].tasks is None
