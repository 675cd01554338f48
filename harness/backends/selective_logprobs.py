"""Log-probabilities at chosen positions only, never at every position of a batch.

A full forward returns logits of shape [batch, length, vocab]: for an MMLU 5-shot batch of 8
rows of 800 tokens and SmolLM2's 49,152-token vocabulary that is 1.2 GB in float32, of
which one row per prompt is used. Running the decoder body, gathering the hidden states of
the scored positions and applying the LM head to those alone gives the same numbers.

Some architectures transform logits after the head (Gemma's soft-capping, Cohere's scale);
``decoder_head_matches_model`` compares the two routes once per model; where they differ the
model's own forward is used, restricted by ``logits_to_keep`` to positions some row scores.
"""

from __future__ import annotations

from typing import Any

import torch


def decoder_head_matches_model(model: Any, token_ids: list[int]) -> bool:
    """Whether decoder body + output embeddings reproduce the model's logits on ``token_ids``."""
    ids = torch.tensor([token_ids], dtype=torch.long, device=model.device)
    expected = model(input_ids=ids).logits[0].float()
    hidden = model.get_decoder()(input_ids=ids).last_hidden_state[0]
    got = model.get_output_embeddings()(hidden).float()
    return got.shape == expected.shape and torch.allclose(got, expected, rtol=1e-4, atol=1e-4)


def logprobs_at(
    model: Any,
    input_ids: torch.Tensor,
    attention_mask: torch.Tensor,
    rows: torch.Tensor,
    positions: torch.Tensor,
    *,
    via_decoder: bool,
) -> torch.Tensor:
    """Float32 log-softmax over the vocabulary at (``rows[i]``, ``positions[i]``): [n, vocab].

    ``via_decoder`` selects the cheap route (decoder body + head on the gathered states);
    without it the model's forward computes logits for the union of scored positions only.
    """
    if via_decoder:
        hidden = model.get_decoder()(
            input_ids=input_ids, attention_mask=attention_mask
        ).last_hidden_state
        logits = model.get_output_embeddings()(hidden[rows, positions])
    else:
        keep, column = torch.unique(positions, return_inverse=True)
        all_logits = model(
            input_ids=input_ids, attention_mask=attention_mask, logits_to_keep=keep
        ).logits
        logits = all_logits[rows, column]
    # float32 so bfloat16 models do not lose the small differences between choices.
    return torch.log_softmax(logits.float(), dim=-1)
