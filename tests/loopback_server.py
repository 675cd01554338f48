"""A real HTTP server on 127.0.0.1 that answers in the OpenAI completions format from a script.

It serves a toy "model" (one token per word, every echoed token the argmax of its own
distribution) so the client's calibration passes, and injects faults on the requests a test
asks for: status codes, Retry-After, malformed JSON, logprob lists of the wrong length. Each
request is recorded with its headers, so a test can count them and check what was sent.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

TOKEN = re.compile(r"\s*\S+|\s+")
TOKEN_LOGPROB = -0.5
ALTERNATIVE_LOGPROB = -3.0


@dataclass
class Fault:
    """What to send instead of a good answer: a status, a raw body, extra headers."""

    status: int = 500
    body: bytes = b'{"error": "injected"}'
    headers: dict[str, str] = field(default_factory=dict)


def toy_echo(prompt: str, *, generated: str = " end", n_top: int = 2) -> dict[str, Any]:
    """An aligned echo of ``prompt`` plus one generated token, in the completions format."""
    tokens = [*TOKEN.findall(prompt), generated]
    offsets, position = [], 0
    for token in tokens:
        offsets.append(position)
        position += len(token)
    logprobs: list[float | None] = [None] + [TOKEN_LOGPROB] * (len(tokens) - 1)
    top: list[dict[str, float] | None] = [None]
    for token in tokens[1:]:
        entry = {token: TOKEN_LOGPROB}
        if n_top > 1:
            entry[token + "x"] = ALTERNATIVE_LOGPROB
        top.append(entry)
    return {
        "id": "cmpl-toy",
        "object": "text_completion",
        "model": "toy",
        "choices": [
            {
                "index": 0,
                "text": prompt + generated,
                "logprobs": {
                    "tokens": tokens,
                    "text_offset": offsets,
                    "token_logprobs": logprobs,
                    "top_logprobs": top,
                },
                "finish_reason": "length",
            }
        ],
        "usage": {"prompt_tokens": len(tokens) - 1, "completion_tokens": 1},
    }


Answer = Callable[[str, dict[str, Any]], dict[str, Any]]


def toy_answer(path: str, payload: dict[str, Any]) -> dict[str, Any]:
    """The toy model: echo for scoring, " ok" for generation, one model in /models."""
    if path.endswith("/models"):
        return {"object": "list", "data": [{"id": "toy", "object": "model"}]}
    if payload.get("echo"):
        return toy_echo(payload["prompt"])
    return {"choices": [{"index": 0, "text": " ok", "finish_reason": "stop"}]}


class ScriptedServer:
    """Answers with ``answer`` except for the scripted ``faults`` on completion requests."""

    def __init__(self, answer: Answer = toy_answer) -> None:
        self.answer = answer
        self.faults: list[Fault] = []
        self.fault_after = 0  # completion requests answered normally before faults start
        self.requests: list[tuple[str, dict[str, str], dict[str, Any]]] = []
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:  # keep pytest output clean
                pass

            def do_GET(self) -> None:
                server._handle(self, {})

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                server._handle(self, json.loads(self.rfile.read(length) or b"{}"))

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self._thread.start()

    def completion_requests(self) -> int:
        """How many POSTs reached /completions."""
        return sum(path.endswith("/completions") for path, _, _ in self.requests)

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def _handle(self, handler: BaseHTTPRequestHandler, payload: dict[str, Any]) -> None:
        with self._lock:
            self.requests.append((handler.path, dict(handler.headers), payload))
            fault = None
            started = self.completion_requests() > self.fault_after
            if handler.command == "POST" and self.faults and started:
                fault = self.faults.pop(0)
        if fault is not None:
            status, body, headers = fault.status, fault.body, fault.headers
        else:
            status, body, headers = 200, json.dumps(self.answer(handler.path, payload)).encode(), {}
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(body)))
        for key, value in headers.items():
            handler.send_header(key, value)
        handler.end_headers()
        handler.wfile.write(body)
