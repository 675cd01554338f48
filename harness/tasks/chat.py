"""Optional chat formatting: the whole prompt becomes one user turn in the model's chat template.

Recorded in provenance (the template's hash), because the same task with and without a chat
template gives different scores.
"""

from __future__ import annotations

import hashlib
from typing import Any

from harness.errors import HarnessError
from harness.tasks.task import PromptFormatter


def chat_formatter(tokenizer: Any) -> tuple[PromptFormatter, str]:
    """A formatter that wraps prompts in ``tokenizer``'s chat template, and that template's hash."""
    template = getattr(tokenizer, "chat_template", None)
    if not template:
        raise HarnessError("--chat: this model's tokenizer has no chat template; drop --chat")

    def format_prompt(prompt: str) -> str:
        text: str = tokenizer.apply_chat_template(
            [{"role": "user", "content": prompt}], tokenize=False, add_generation_prompt=True
        )
        return text

    return format_prompt, hashlib.sha256(str(template).encode()).hexdigest()
