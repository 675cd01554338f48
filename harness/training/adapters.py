"""LoRA adapters on a model: the ``lora`` recipe's setup, reused by ``dpo`` and ``rl-detox``."""

from __future__ import annotations

from typing import Any

from harness.training.sections import LoraSettings


def attach_lora(model: Any, settings: LoraSettings) -> Any:
    """``model`` wrapped by peft with fresh LoRA adapters; only they are trainable."""
    from peft import LoraConfig, TaskType, get_peft_model

    return get_peft_model(
        model,
        LoraConfig(
            task_type=TaskType.CAUSAL_LM,
            r=settings.rank,
            lora_alpha=settings.alpha,
            lora_dropout=settings.dropout,
            target_modules=list(settings.target_modules),
        ),
    )
