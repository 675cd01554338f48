"""On the real SmolLM2-135M: the LoRA recipe's trainable share is the course's ~1.4%."""

from __future__ import annotations

import pytest

from harness.recipes import load_recipe_config
from harness.training.adapters import attach_lora


@pytest.mark.integration
def test_the_default_lora_trains_about_1_4_percent_of_smollm2() -> None:
    from harness.models import load_model

    config, _ = load_recipe_config("lora", profile="quick")
    model = attach_lora(load_model(config.parent).model, config.lora)
    trainable, total = model.get_nb_trainable_parameters()
    # 30 layers; rank 32 on q_proj (576 -> 576) and v_proj (576 -> 192, 3 KV heads of 64).
    assert trainable == 30 * (32 * (576 + 576) + 32 * (576 + 192))
    assert total == 134_515_008 + trainable
    assert 0.013 < trainable / total < 0.014
