"""RL with a KL penalty on a tiny model: a toy reward rises, the KL stays finite, the variant is
registered under its parent, and the reward-hacking watch reads it."""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

LOW_HALF = 24576  # the tiny model's vocabulary is 49,152 tokens


def low_token_share(prompts: Any, completions: Any, completion_ids: Any, **_: Any) -> list[float]:
    """A toy reward: the share of a completion's tokens from the lower half of the vocabulary."""
    return [sum(t < LOW_HALF for t in ids) / max(len(ids), 1) for ids in completion_ids]


low_token_share.__name__ = "low_token_share"

TINY_RL = [
    "parent=tiny-random-llama",
    "prompts.toxigen=8",
    "prompts.dialogsum=0",
    "prompts.toxigen_statements=1",
    "prompts.exclude_eval_limit=1",
    "rl.policy=full",
    "rl.beta=0.05",
    "rl.max_completion_tokens=8",
    "train.max_steps=8",
    "train.batch_size=2",
    "train.learning_rate=0.05",
    "train.logging_steps=1",
    "train.save_steps=100",
]


def _session(store: Path, *extra: str) -> Any:
    from harness.recipes import load_recipe_config
    from harness.training.session import RecipeSession

    config, profile = load_recipe_config("rl-detox", profile="quick", overrides=[*TINY_RL, *extra])
    return RecipeSession(recipe="rl-detox", config=config, profile=profile, store=store)


def _mean_reward(model: Any, tokenizer: Any, prompt: str, seed: int) -> float:
    """The toy reward of 64 sampled 8-token continuations of ``prompt``."""
    import torch

    torch.manual_seed(seed)
    inputs = tokenizer([prompt] * 64, return_tensors="pt")
    with torch.no_grad():
        out = model.generate(
            **inputs, do_sample=True, max_new_tokens=8, min_new_tokens=8, top_k=0, top_p=1.0
        )
    ids = out[:, inputs["input_ids"].shape[1] :].tolist()
    return sum(low_token_share(None, None, ids)) / len(ids)


@pytest.fixture(scope="module")
def trained(
    tmp_path_factory: pytest.TempPathFactory, shared_data: Path
) -> Iterator[tuple[Any, Path]]:
    """One tiny RL run shared by the tests below (training is the slow part), in a private
    harness home like the ``lab`` fixture's."""
    from harness.paths import harness_home
    from harness.recipes.rl_detox import train_with_reward

    root = tmp_path_factory.mktemp("rl")
    models = harness_home() / "models"
    home = root / "home"
    home.mkdir()
    if models.is_dir():
        (home / "models").symlink_to(models)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HARNESS_HOME", str(home))
        patch.setenv("HARNESS_DATA_DIR", str(shared_data))
        store = root / "store.db"
        variant = train_with_reward(_session(store), low_token_share)
        yield variant, store


def test_rl_raises_the_toy_reward_with_a_finite_kl(trained: tuple[Any, Path]) -> None:
    from harness.models import load_model
    from harness.registry import load_variant

    variant, store = trained
    curves = variant.details["training"]
    kl = [p["value"] for p in curves["kl"]]
    assert len(kl) == 8 and all(math.isfinite(v) for v in kl)
    assert max(kl) > 0  # the policy moved away from the reference, and the KL saw it
    prompt = "- a statement\n-"
    parent = load_model("tiny-random-llama")
    child = load_variant(store, variant.variant_id)
    before = _mean_reward(parent.model, parent.tokenizer, prompt, seed=0)
    after = _mean_reward(child.model, child.tokenizer, prompt, seed=0)
    assert after > before + 0.05, (before, after)


def test_the_rl_variant_is_registered_under_its_parent(trained: tuple[Any, Path]) -> None:
    from harness.registry import get_variant

    variant, store = trained
    parent = get_variant(store, variant.parent_id)
    assert parent.name == "tiny-random-llama"
    assert variant.kind == "rlhf" and variant.recipe == "rl-detox"
    assert variant.details["algorithm"] == "grpo" and variant.details["kl_coefficient"] == 0.05
    assert {"reward", "kl", "completions/mean_length"} <= set(variant.details["training"])
    summary = variant.details["rl_summary"]
    assert summary["reward_first"] == variant.details["training"]["reward"][0]["value"]


def test_the_watch_flags_a_kl_over_its_limit_and_compares_quality(
    trained: tuple[Any, Path],
) -> None:
    from harness.alignment import WatchLimits, format_watch, watch_variant
    from harness.registry import load_variant
    from harness.runner import EvalOptions, run_eval

    variant, store = trained
    for name in ("tiny-random-llama", variant.name):
        options = EvalOptions(
            model=name, suite="dialogsum", tasks=["dialogsum_0shot"], limit=3, store=store
        )
        run_eval(options, model=load_variant(store, name), log=lambda _: None)
    loose = WatchLimits(max_kl=1e9, max_quality_drop=1e9, max_degenerate_share=1.0)
    calm = watch_variant(store, variant.name, limits=loose)
    assert calm.quality is not None and calm.quality.metric == "rouge1"
    assert not calm.hacked
    strict = WatchLimits(max_kl=0.0, min_reward_gain=-1.0)
    flagged = watch_variant(store, variant.name, limits=strict)
    assert flagged.hacked and any("KL" in flag for flag in flagged.flags)
    assert "FLAGGED" in format_watch(flagged)


def test_the_watch_refuses_a_variant_that_is_not_from_rl(trained: tuple[Any, Path]) -> None:
    from harness.alignment import watch_variant
    from harness.errors import HarnessError

    _, store = trained
    with pytest.raises(HarnessError, match="not an RL variant"):
        watch_variant(store, "tiny-random-llama")
