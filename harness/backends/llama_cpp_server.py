"""Start llama-cpp-python's OpenAI-compatible server on a free loopback port, and stop it.

The served-model tests and benchmarks run a real server this way; a user can too, to serve
a GGUF for ``harness eval --backend openai`` (``python -m llama_cpp.server`` is the same
command). The server needs the ``served`` extra (see the Makefile's ``setup-test``).
"""

from __future__ import annotations

import importlib.util
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from harness.models.packaged import PACKAGED_MODELS, packaged_file

SKIP_REASON = "llama_cpp is not installed; `make setup-test` builds it (the served extra)"


def llama_cpp_missing() -> bool:
    """True when the server cannot be started (found without importing the shared library).

    Under CI (``$CI`` set) this is always False: CI's set-up installs the server, so a missing
    one must fail the tests loudly rather than skip them.
    """
    return importlib.util.find_spec("llama_cpp") is None and not os.environ.get("CI")


def smollm2_gguf() -> Path:
    """The packaged SmolLM2 GGUF (Q4_1)."""
    return packaged_file(PACKAGED_MODELS["smollm2-135m-instruct"])


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class LlamaServer:
    """One ``python -m llama_cpp.server`` process; ``url`` ends in /v1."""

    def __init__(self, model: Path, *, n_ctx: int = 2048) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/v1"
        command = [sys.executable, "-m", "llama_cpp.server", "--model", str(model)]
        command += ["--host", "127.0.0.1", "--port", str(self.port), "--n_ctx", str(n_ctx)]
        # A file, not a pipe: the server logs every request and a full pipe would stall it.
        self.log = tempfile.TemporaryFile(mode="w+")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(command, stdout=self.log, stderr=subprocess.STDOUT)
        self._wait_until_up()

    def _wait_until_up(self, timeout_s: float = 60.0) -> None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self.log.seek(0)
                raise RuntimeError(f"llama.cpp server exited: {self.log.read()[-2000:]}")
            try:
                if httpx.get(self.url + "/models", timeout=1.0).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"llama.cpp server on port {self.port} not up after {timeout_s} s")

    def stop(self) -> None:
        """Terminate the process (kill it if it lingers); safe to call twice."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()

    def kill(self) -> None:
        """SIGKILL, as a crashed replica would die."""
        self.process.kill()
        self.process.wait()
