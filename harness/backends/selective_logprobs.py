"""Log-probabilities at chosen positions only, never at every position of a batch.

A full forward returns logits of shape [batch, length, vocab]: for an MMLU 5-shot batch of 8
rows of 800 tokens and SmolLM2's 49,152-token vocabulary that is 1.2 GB in float32, of
which one row per prompt is used. Running the decoder body, gathering the hidden states of
the scored positions and applying the LM head to those alone gives the same numbers. Where
many positions are scored (rolling windows of 8,192 tokens), the head and the softmax run
over ``CHUNK_ROWS`` positions at a time, so memory stays bounded whatever the window.

Some architectures transform logits after the head (Gemma's soft-capping, Cohere's scale);
``decoder_head_matches_model`` compares the two routes once per model; where they differ the
model's own forward is used, restricted by ``logits_to_keep`` to positions some row scores.

Either route can continue a shared prefix: the rows then hold only the tokens after it,
their positions continue the prefix's, and attention reaches its cached keys and values.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NamedTuple

import torch

from harness.backends.grouped_attention import grouped_kv_attention

if TYPE_CHECKING:
    from harness.backends.prefix_cache import SharedPrefix

CHUNK_ROWS = 1024  # positions per log-softmax: 1024 x 49,152 x 4 bytes = 200 MB


class PositionScores(NamedTuple):
    """Per requested (position, target) pair its log-probability; per position its argmax."""

    target_logprobs: list[float]
    argmax: list[int]


def decoder_head_matches_model(model: Any, token_ids: list[int]) -> bool:
    """Whether decoder body + output embeddings reproduce the model's logits on ``token_ids``."""
    ids = torch.tensor([token_ids], dtype=torch.long, device=model.device)
    expected = model(input_ids=ids).logits[0].float()
    try:
        hidden = model.get_decoder()(input_ids=ids).last_hidden_state[0]
        got = model.get_output_embeddings()(hidden).float()
    except (AttributeError, TypeError, NotImplementedError):
        return False  # no plain decoder/head split to use: the model's own forward it is
    return got.shape == expected.shape and torch.allclose(got, expected, rtol=1e-4, atol=1e-4)


def score_positions(
    model: Any,
    input_ids: torch.Tensor,
    attention_mask: torch.Tensor,
    where: list[tuple[int, int]],
    pairs: list[tuple[int, int]],
    *,
    via_decoder: bool,
    prefix: SharedPrefix | None = None,
) -> PositionScores:
    """Score (row, position) ``where[i]``: the argmax there, and for each (i, target) in
    ``pairs`` the float32 log-softmax of ``target`` there.

    ``via_decoder`` selects the cheap route (decoder body + head on the gathered states);
    without it the model's forward computes logits for the union of scored positions only.
    With ``prefix``, every row continues it: positions count from the prefix's end.
    """
    device = input_ids.device
    context: dict[str, Any] = {"use_cache": False}  # a full cache would be built and thrown away
    if prefix is not None:
        length = prefix.length
        attention_mask = torch.cat(
            [attention_mask.new_ones(attention_mask.shape[0], length), attention_mask], dim=1
        )
        context = {
            "past_key_values": prefix.for_scoring(input_ids.shape[0]),
            "position_ids": torch.arange(length, length + input_ids.shape[1], device=device)[None],
            "use_cache": True,
        }
    rows = torch.tensor([row for row, _ in where], dtype=torch.long, device=device)
    positions = torch.tensor([position for _, position in where], dtype=torch.long, device=device)
    if via_decoder:
        with grouped_kv_attention(device):
            hidden = model.get_decoder()(
                input_ids=input_ids, attention_mask=attention_mask, **context
            ).last_hidden_state
        head = model.get_output_embeddings()
        picked = hidden[rows, positions]  # [n, hidden]
    else:
        keep, column = torch.unique(positions, return_inverse=True)
        with grouped_kv_attention(device):
            logits = model(
                input_ids=input_ids, attention_mask=attention_mask, logits_to_keep=keep, **context
            )
        head = torch.nn.Identity()
        picked = logits.logits[rows, column]  # [n, vocab]
    pair_slots = torch.tensor([i for i, _ in pairs], dtype=torch.long, device=device)
    pair_targets = torch.tensor([t for _, t in pairs], dtype=torch.long, device=device)
    target_logprobs = torch.empty(len(pairs), dtype=torch.float32, device=device)
    argmax = torch.empty(len(where), dtype=torch.long, device=device)
    for start in range(0, len(where), CHUNK_ROWS):
        end = min(start + CHUNK_ROWS, len(where))
        # float32 so bfloat16 models do not lose the small differences between choices.
        logprobs = torch.log_softmax(head(picked[start:end]).float(), dim=-1)
        argmax[start:end] = logprobs.argmax(dim=-1)
        inside = (pair_slots >= start) & (pair_slots < end)
        target_logprobs[inside] = logprobs[pair_slots[inside] - start, pair_targets[inside]]
    return PositionScores(target_logprobs.tolist(), argmax.tolist())
