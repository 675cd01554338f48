"""Tiny random models shared by the backend tests (loading one takes about half a second)."""

import pytest

from harness.models import LoadedModel, load_model


@pytest.fixture(scope="session")
def tiny() -> LoadedModel:
    """Tied embeddings, 2 layers, hidden 64, SmolLM2's real tokenizer."""
    return load_model("tiny-random-llama")


@pytest.fixture(scope="session")
def tiny_untied() -> LoadedModel:
    """A separate LM head, so scoring through the head is checked apart from the embeddings."""
    return load_model("tiny-random-llama:seed=1,tied=false")
