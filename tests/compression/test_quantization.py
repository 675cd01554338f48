"""int8 quantization stores Linear weights as int8 with float scales, keeps the tied LM head
in float, shrinks the parameter bytes, and barely moves the model's predictions."""

from __future__ import annotations

import pytest
import torch

from harness.compression import QUANTIZATION_METHODS, parameter_bytes, quantize_model
from harness.errors import HarnessError
from harness.models import load_model


def _fresh():  # type: ignore[no-untyped-def]
    return load_model("tiny-random-llama:seed=5,layers=2,hidden=64").model


@pytest.mark.parametrize("method", QUANTIZATION_METHODS)
def test_linear_weights_become_int8_and_the_head_stays_float(method: str) -> None:
    model = _fresh()
    linears = [
        n for n, m in model.named_modules() if isinstance(m, torch.nn.Linear) and n != "lm_head"
    ]
    report = quantize_model(model, method)
    assert report.bits == 8 and report.quantized_layers == len(linears)
    weight = model.model.layers[0].self_attn.q_proj.weight
    assert weight.qdata.dtype == torch.int8  # type: ignore[attr-defined]
    assert type(model.lm_head.weight) is torch.nn.Parameter
    assert model.lm_head.weight.dtype == torch.float32


def test_parameter_bytes_count_int8_data_and_scales() -> None:
    model = _fresh()
    layer = model.model.layers[0].mlp.gate_proj
    rows, cols = layer.weight.shape
    before = parameter_bytes(model)
    report = quantize_model(model, "int8-weight-only")
    assert report.bytes_before == before
    # Each quantized Linear: 4 bytes per weight -> 1, plus a float scale and an int8 zero
    # point per output row.
    per_layer_saving = rows * cols * 3 - rows * (4 + 1)
    assert parameter_bytes(model.model.layers[0].mlp.gate_proj) == rows * cols + rows * 5
    assert report.bytes_after < report.bytes_before
    assert before - parameter_bytes(model) >= per_layer_saving


def test_weight_only_int8_keeps_the_next_token_distribution() -> None:
    reference, quantized = _fresh(), _fresh()
    quantize_model(quantized, "int8-weight-only")
    ids = torch.arange(1, 33).unsqueeze(0)
    with torch.no_grad():
        p = reference(ids).logits.log_softmax(-1)
        q = quantized(ids).logits.log_softmax(-1)
    kl = (p.exp() * (p - q)).sum(-1).mean().item()
    assert kl < 1e-3
    assert torch.equal(p.argmax(-1), q.argmax(-1))


def test_unknown_method_names_the_known_ones() -> None:
    with pytest.raises(HarnessError, match="int8-weight-only"):
        quantize_model(_fresh(), "int4")
