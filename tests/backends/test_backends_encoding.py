"""Request strings become exactly the token ids lm-eval's HFLM scores."""

import pytest
from lm_eval.api.instance import Instance
from lm_eval.models.huggingface import HFLM

from harness.backends.encoding import encode_pair, prefix_token_id
from harness.models import LoadedModel

PAIRS = [
    ("The answer is", " Paris"),
    ("Answer: ", "A"),  # trailing space moves to the continuation
    ("Answer:\n\n", "B"),  # so does trailing whitespace of any kind
    ("Hello", "world"),  # no space: the pair may merge across the boundary
    ("<|im_start|>user\nHi", " there"),  # starts with the BOS text: no BOS added
    ("", "Hello world"),  # empty context: the prefix token
    ("", "<|im_start|>Hello"),  # ... unless the continuation starts with it
    ("1 + 1 =", " 2\n"),
]


@pytest.fixture(scope="module")
def hflm(tiny: LoadedModel) -> HFLM:
    return HFLM(pretrained=tiny.model, tokenizer=tiny.tokenizer, batch_size=1, device="cpu")


@pytest.mark.parametrize(("context", "continuation"), PAIRS)
def test_pairs_encode_as_lm_eval_encodes_them(
    tiny: LoadedModel, hflm: HFLM, context: str, continuation: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[tuple[list[int], list[int]]] = []

    def capture_tokens(requests: list, **kwargs: object) -> list:
        seen.extend(
            (context_ids, continuation_ids) for _, context_ids, continuation_ids in requests
        )
        return []

    monkeypatch.setattr(hflm, "_loglikelihood_tokens", capture_tokens)
    hflm.loglikelihood(
        [Instance(request_type="loglikelihood", doc={}, arguments=(context, continuation), idx=0)],
        disable_tqdm=True,
    )
    assert encode_pair(tiny.tokenizer, context, continuation) == seen[0]


def test_prefix_token_is_bos(tiny: LoadedModel, hflm: HFLM) -> None:
    assert prefix_token_id(tiny.tokenizer) == hflm.prefix_token_id == tiny.tokenizer.bos_token_id


def test_a_context_of_only_spaces_is_scored_after_the_prefix_token(tiny: LoadedModel) -> None:
    # lm-eval fails on this input (its context encodes to nothing); we condition on BOS.
    context, continuation = encode_pair(tiny.tokenizer, "  ", "Hi")
    assert context == [tiny.tokenizer.bos_token_id]
    assert continuation == tiny.tokenizer.encode("  Hi", add_special_tokens=False)
