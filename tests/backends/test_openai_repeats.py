"""``repeats: k`` through a served model: k equal sampling requests are k samples, not one.

The in-process backend draws the k samples from one seeded stream; a server answers each
request alone, so the r-th equal request carries seed + r, also when stored answers split
the copies over several chunks.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from loopback_server import ScriptedServer

from harness.backends import GenerationRequest, make_generation_config
from harness.backends.openai_backend import OpenAIBackend
from harness.runner.stored_answers import StoredAnswers


@pytest.fixture()
def server() -> Iterator[ScriptedServer]:
    scripted = ScriptedServer()
    yield scripted
    scripted.close()


def _seeds(server: ScriptedServer) -> list[tuple[str, int]]:
    """(prompt, seed) of every completion request, sorted: requests run concurrently."""
    return sorted(
        (payload["prompt"], payload["seed"])
        for path, _, payload in server.requests
        if path.endswith("/completions")
    )


def test_equal_sampling_requests_get_consecutive_seeds(server: ScriptedServer) -> None:
    config = make_generation_config({"do_sample": True, "seed": 7, "max_new_tokens": 4})
    backend = OpenAIBackend(server.url, model="toy")
    backend.generate([GenerationRequest("Say", config)] * 3 + [GenerationRequest("Other", config)])
    assert _seeds(server) == [("Other", 7), ("Say", 7), ("Say", 8), ("Say", 9)]


def test_greedy_requests_keep_their_seed(server: ScriptedServer) -> None:
    config = make_generation_config({"seed": 7, "max_new_tokens": 4})
    OpenAIBackend(server.url, model="toy").generate([GenerationRequest("Say", config)] * 2)
    assert _seeds(server) == [("Say", 7), ("Say", 7)]


def test_stored_answers_keep_the_seeds_across_chunks_and_reuse_each_sample(
    server: ScriptedServer, tmp_path: Path
) -> None:
    config = make_generation_config({"do_sample": True, "seed": 7, "max_new_tokens": 4})
    requests = [GenerationRequest("Say", config)] * 6
    wrapped = StoredAnswers(OpenAIBackend(server.url, model="toy"), tmp_path / "s.db", "m", slots=1)
    wrapped.chunk = 4  # copies 0-3, then 4-5 in a chunk of their own
    wrapped.generate(requests)
    assert _seeds(server) == [("Say", seed) for seed in range(7, 13)]
    again = StoredAnswers(OpenAIBackend(server.url, model="toy"), tmp_path / "s.db", "m", slots=1)
    assert len(again.generate(requests)) == 6
    assert again.reused == 6 and again.sent == 0 and len(_seeds(server)) == 6
