"""Pruning reaches the stated sparsity exactly, and structured pruning really shrinks the
model into one that saves, reloads and runs like any other."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from harness.compression import magnitude_prune, prune_mlp_channels, weight_sparsity
from harness.errors import HarnessError
from harness.models import load_model


@pytest.fixture()
def model():  # type: ignore[no-untyped-def]
    return load_model("tiny-random-llama:seed=3").model  # a fresh copy: pruning is in place


@pytest.mark.parametrize("sparsity", [0.0, 0.3, 0.5, 0.9])
def test_magnitude_pruning_zeroes_exactly_the_requested_share(model, sparsity: float) -> None:
    report = magnitude_prune(model, sparsity)
    layers = [
        m for n, m in model.named_modules() if isinstance(m, torch.nn.Linear) and n != "lm_head"
    ]
    for layer in layers:
        zeros = int((layer.weight == 0).sum())
        assert zeros == round(sparsity * layer.weight.numel())
    assert report.sparsity == pytest.approx(sparsity, abs=1e-3)
    assert weight_sparsity(model) == report.sparsity
    assert report.parameters_after == report.parameters_before  # shapes unchanged


def test_magnitude_pruning_removes_the_smallest_weights(model) -> None:
    layer = model.model.layers[0].mlp.up_proj
    before = layer.weight.detach().clone()
    magnitude_prune(model, 0.5)
    kept = before[layer.weight != 0].abs()
    dropped = before[layer.weight == 0].abs()
    assert dropped.max() <= kept.min()


def test_magnitude_pruning_leaves_the_tied_lm_head_dense(model) -> None:
    head = model.lm_head.weight.detach().clone()  # its padding row is zero from the start
    magnitude_prune(model, 0.9)
    assert torch.equal(model.lm_head.weight, head)


def test_channel_pruning_shrinks_every_mlp_and_the_config(model, tmp_path: Path) -> None:
    width = model.config.intermediate_size
    report = prune_mlp_channels(model, 0.25)
    keep = width - round(0.25 * width)
    assert model.config.intermediate_size == keep
    for block in model.model.layers:
        assert block.mlp.gate_proj.weight.shape[0] == keep
        assert block.mlp.down_proj.weight.shape[1] == keep
    hidden, layers = model.config.hidden_size, model.config.num_hidden_layers
    assert (
        report.parameters_before - report.parameters_after == 3 * hidden * (width - keep) * layers
    )

    ids = torch.tensor([[1, 2, 3, 4, 5]])
    with torch.no_grad():
        logits = model(ids).logits
    model.save_pretrained(tmp_path)
    from transformers import AutoModelForCausalLM

    reloaded = AutoModelForCausalLM.from_pretrained(tmp_path)
    with torch.no_grad():
        assert torch.equal(reloaded(ids).logits, logits)


def test_channel_pruning_keeps_the_most_important_channels(model) -> None:
    mlp = model.model.layers[0].mlp
    # Make channel 0 dominant and channel 1 negligible in every projection.
    with torch.no_grad():
        for weight in (mlp.gate_proj.weight, mlp.up_proj.weight):
            weight[0] = 10.0
            weight[1] = 1e-4
        mlp.down_proj.weight[:, 0] = 10.0
        mlp.down_proj.weight[:, 1] = 1e-4
        marker = mlp.up_proj.weight[0].clone()
    prune_mlp_channels(model, 0.5)
    up = model.model.layers[0].mlp.up_proj.weight
    assert torch.equal(up[0], marker)  # kept, and first: kept channels stay in order
    assert not any(torch.allclose(row, torch.full_like(row, 1e-4)) for row in up)


@pytest.mark.parametrize("bad", [-0.1, 1.0, 1.5])
def test_bad_shares_are_refused(model, bad: float) -> None:
    with pytest.raises(HarnessError, match=r"\[0, 1\)"):
        magnitude_prune(model, bad)
    with pytest.raises(HarnessError, match=r"\[0, 1\)"):
        prune_mlp_channels(model, bad)
