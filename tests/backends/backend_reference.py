"""Reference computations for the backend tests: one plain forward, full log-softmax.

Deliberately naive (no batching, no padding, no position gathering) so a test compares the
backend against arithmetic a reader can check line by line.
"""

import torch

from harness.models import LoadedModel


@torch.inference_mode()
def full_forward_logprobs(loaded: LoadedModel, input_ids: list[int]) -> torch.Tensor:
    """log_softmax of the model's logits at every position of one unpadded sequence: [len, vocab]."""
    logits = loaded.model(torch.tensor([input_ids])).logits[0]
    return torch.log_softmax(logits.float(), dim=-1)


def continuation_logprob(loaded: LoadedModel, context: list[int], continuation: list[int]) -> float:
    """Sum of log P(continuation[i] | context + continuation[:i]) from one full forward."""
    logprobs = full_forward_logprobs(loaded, context + continuation)
    start = len(context) - 1  # the logits at position p predict token p + 1
    return sum(float(logprobs[start + i, token]) for i, token in enumerate(continuation))


def split_like_lm_eval(
    loaded: LoadedModel, context: str, continuation: str
) -> tuple[list[int], list[int]]:
    """Encode context + continuation whole and split at the encoded context's length."""
    whole = loaded.tokenizer.encode(context + continuation)
    context_ids = loaded.tokenizer.encode(context)
    return context_ids, whole[len(context_ids) :]
