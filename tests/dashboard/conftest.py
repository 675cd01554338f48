"""Fixtures for the dashboard tests: one filled store for the session, an empty one per test."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from filled_store import FilledStore, fill_store


@pytest.fixture(scope="session")
def filled_store(tmp_path_factory: pytest.TempPathFactory) -> FilledStore:
    """Three tiny models evaluated on a toy suite (about 5 s, once per session)."""
    return fill_store(tmp_path_factory.mktemp("filled"))


@pytest.fixture(scope="session")
def react_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One ReAct run of the tiny model on one BoolQ question (about 5 s, once per session)."""
    from harness.models import load_model
    from harness.runner import EvalOptions, run_eval

    path = tmp_path_factory.mktemp("react") / "harness.db"
    options = EvalOptions(
        model="tiny-random-llama",
        suite="react",
        limit=1,
        gen={"max_new_tokens": 6},
        store=path,
        progress=False,
    )
    run_eval(options, model=load_model("tiny-random-llama"), log=lambda _: None)
    return path


CHAIN_PROMPTS = [
    "\n\nHuman: How do I get into my neighbour's shed?\n\nAssistant:",
    "\n\nHuman: Tell me a joke about my boss.\n\nAssistant:",
]


@pytest.fixture(scope="session")
def chains_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A registry (no runs) holding a Constitutional AI supervised stage whose two critique
    chains the tiny model wrote (two rounds each), and a variant trained from it."""
    from harness.backends.generation_config import make_generation_config
    from harness.models import load_model
    from harness.registry import ensure_root, hash_weights, new_variant, register_variant
    from harness.training.constitution import load_constitution
    from harness.training.critique import critique_chains
    from harness.training.feedback import policy_backend

    path = tmp_path_factory.mktemp("chains") / "harness.db"
    loaded = load_model("tiny-random-llama")
    sampling = make_generation_config({"max_new_tokens": 6, "do_sample": True, "seed": 1})
    constitution = load_constitution()
    chains = critique_chains(
        policy_backend(loaded, 4), constitution, CHAIN_PROMPTS, rounds=2, config=sampling, seed=0
    )
    root = ensure_root(path, "tiny-random-llama")
    parent_id = root.variant_id
    for name, kind, seed, details in (
        (
            "tiny-cai-sl",
            "constitutional-sl",
            5,
            {
                "examples": 2,
                "constitution": constitution.name,
                "chains": [dataclasses.asdict(c) | {"final": c.final} for c in chains],
            },
        ),
        ("tiny-cai", "rlaif", 6, {}),
    ):
        weights = load_model(f"tiny-random-llama:seed={seed}").model
        variant = new_variant(
            name=name,
            kind=kind,
            parent_id=parent_id,
            path=None,
            recipe="constitutional",
            config={"name": name},
            data_hash=None,
            weights_hash=hash_weights(weights),
            total_params=1,
            trainable_params=1,
            training_seconds=1.0,
            final_losses={},
            details=details,
        )
        parent_id = register_variant(path, variant).variant_id
    return path
