"""The ``openai`` backend: the three request types over any OpenAI-compatible ``/v1/completions``.

Loglikelihoods come from the server's echoed prompt logprobs (``echo: true, logprobs: k``):
with token ids as the prompt where the server takes them (vLLM) and a tokenizer is given,
else with text, the continuation's tokens found by their character offsets. Before the first
request the backend checks on a probe text how the echoed logprobs line up and, for a server
that shifts them by one (llama-cpp-python with a model that adds no BOS), prefixes every
scored prompt with the BOS text so they line up, then proves it on the probe again. Generation
uses ``/v1/completions`` (or ``/v1/chat/completions`` with ``chat=True``). Routing, retries
and dropping dead endpoints live in ``openai_client``; this module only builds payloads and
reads answers.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlsplit, urlunsplit

from harness.backends.base import ProgressCallback
from harness.backends.echo_alignment import (
    EchoLayout,
    EchoLogprobs,
    MalformedLogprobs,
    SpanScore,
    detect_layout,
    offset_base,
    span_score,
    tail_score,
)
from harness.backends.encoding import encode_pair, encode_text, prefix_token_id
from harness.backends.generation_config import GenerationConfig, cut_at_stop
from harness.backends.openai_client import EndpointPool
from harness.backends.requests import (
    GenerationRequest,
    GenerationResult,
    LoglikelihoodRequest,
    LoglikelihoodResult,
    RollingRequest,
    RollingResult,
    occurrences,
)
from harness.backends.rolling_windows import rolling_windows
from harness.errors import HarnessError
from harness.store.records import ModelRecord

if TYPE_CHECKING:
    from harness.backends.settings import BackendSettings

T = TypeVar("T")

# Easy to continue, so each token is mostly the argmax of the distribution that predicts it:
# that is what tells an aligned echo from a shifted one.
PROBE_TEXT = "1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20"
FINGERPRINT_PROMPTS = (
    "The capital of France is",
    "def add(a, b):\n    return",
    "Q: What is 2 + 3?\nA:",
)
FIRST_TOKEN_TOP_K = 100  # how deep the distribution after the bare BOS is read


@dataclass(frozen=True)
class ServedIdentity:
    """Who answers: the id the server reports and a hash of its answers on fixed probes."""

    model_id: str
    fingerprint: str


@dataclass(frozen=True)
class _Scoring:
    """How this server is asked for prompt logprobs, decided once by ``_calibrate``."""

    token_ids: bool  # prompts as token-id lists (the server accepts them, a tokenizer is given)
    prefix: str  # text put before every scored text prompt ("" or the BOS text)


class OpenAIBackend:
    """Scores and generates through OpenAI-compatible servers; never loads weights.

    ``base_urls`` end in ``/v1``. ``api_key_env`` names the environment variable holding the
    key (read once, sent only as a header). ``tokenizer`` (a transformers tokenizer of the
    served model) enables token-id prompts on servers that take them and lm-eval's token
    windows for rolling loglikelihoods; without one, texts are windowed at whitespace every
    ``rolling_chars`` characters. ``bos_text`` is the model's BOS as text, needed for a server
    that echoes logprobs shifted by one and for scoring without context (taken from the
    tokenizer when there is one). ``top_logprobs`` alternatives per token decide ``is_greedy``.
    """

    def __init__(
        self,
        base_urls: str | Sequence[str],
        *,
        model: str | None = None,
        api_key_env: str | None = None,
        tokenizer: Any | None = None,
        bos_text: str | None = None,
        chat: bool = False,
        top_logprobs: int = 5,
        max_length: int = 2048,
        rolling_chars: int = 4000,
        max_concurrency: int = 4,
        timeout_s: float = 120.0,
        max_retries: int = 5,
        max_failures: int = 3,
        backoff_s: float = 0.5,
    ) -> None:
        urls = [base_urls] if isinstance(base_urls, str) else list(base_urls)
        api_key = None
        if api_key_env:
            api_key = os.environ.get(api_key_env)
            if not api_key:
                raise HarnessError(
                    f"environment variable {api_key_env} (named by api_key_env) is not set; "
                    "export it or leave api_key_env out"
                )
        if top_logprobs < 1:
            raise HarnessError(f"top_logprobs must be at least 1, got {top_logprobs}")
        self.pool = EndpointPool(
            urls,
            api_key=api_key,
            max_concurrency=max_concurrency,
            timeout_s=timeout_s,
            max_retries=max_retries,
            max_failures=max_failures,
            backoff_s=backoff_s,
        )
        self.model = model
        self.tokenizer = tokenizer
        if bos_text is None and tokenizer is not None:
            bos_text = tokenizer.decode(prefix_token_id(tokenizer))
        self.bos_text = bos_text
        self.chat = chat
        self.top_logprobs = top_logprobs
        self.max_length = max_length
        self.rolling_chars = rolling_chars
        self.tokens_processed = 0
        self._scoring: _Scoring | None = None
        self._first_token: dict[str, float] | None = None

    def __repr__(self) -> str:
        return f"OpenAIBackend({self.pool!r}, model={self.model!r}, chat={self.chat})"

    device = "served"  # the weights live on the servers
    served = True

    @property
    def applies_chat_template(self) -> bool:
        """With ``chat`` the chat endpoint formats prompts, so the runner must not."""
        return self.chat

    @classmethod
    def from_settings(cls, settings: BackendSettings) -> OpenAIBackend:
        """Open the endpoints of ``--base-url`` for the model ``--model`` names."""
        if not settings.base_urls:
            raise HarnessError(
                "the openai backend needs at least one --base-url "
                "(e.g. --base-url http://127.0.0.1:8000/v1)"
            )
        if settings.loaded is not None:
            raise HarnessError(
                "the openai backend serves a model by name; it takes no loaded model"
            )
        for url in settings.base_urls:
            parts = urlsplit(url)
            if parts.scheme not in ("http", "https") or not parts.hostname:
                raise HarnessError(
                    f"--base-url '{public_url(url)}' is not an http(s) URL; "
                    "use the server's OpenAI root, e.g. http://127.0.0.1:8000/v1"
                )
        from harness.models.packaged import PACKAGED_MODELS

        # A served packaged model (the llama.cpp tests serve SmolLM2's GGUF) has its tokenizer
        # here already; anything else needs --tokenizer for token ids and the BOS text.
        tokenizer_spec = settings.tokenizer or (
            settings.model if settings.model in PACKAGED_MODELS else None
        )
        tokenizer = None
        if tokenizer_spec:
            from harness.models.tokenizer import load_tokenizer

            tokenizer = load_tokenizer(tokenizer_spec)
        return cls(
            list(settings.base_urls),
            model=settings.model,
            api_key_env=settings.api_key_env,
            tokenizer=tokenizer,
            chat=settings.chat,
            max_concurrency=settings.concurrency,
            timeout_s=settings.timeout_s,
        )

    def model_record(self) -> ModelRecord:
        """The served model's identity: its reported id plus a fingerprint of its answers.

        The same name served by other weights answers the fixed probes differently, so it gets
        another ``model_hash`` and is never paired with this one as "the same model". The probe
        requests are not counted in the run's tokens.
        """
        before = self.tokens_processed
        identity = self.replica_identity()
        self.tokens_processed = before
        key = f"openai\0{identity.model_id}\0{identity.fingerprint}"
        endpoints = [public_url(endpoint.url) for endpoint in self.pool.endpoints]
        return ModelRecord(
            model_hash=hashlib.sha256(key.encode()).hexdigest(),
            spec=self.model or identity.model_id,
            name=identity.model_id,
            source="openai:" + ",".join(endpoints),
            n_parameters=0,  # unknown: a server does not say
            dtype="served",
            details={
                "backend": "openai",
                "model_id": identity.model_id,
                "fingerprint": identity.fingerprint,
                "endpoints": endpoints,
                "chat": self.chat,
                "tokenizer": getattr(self.tokenizer, "name_or_path", None),
            },
        )

    # ---- the Backend protocol -------------------------------------------------------------

    def loglikelihood(
        self, requests: Sequence[LoglikelihoodRequest], progress: ProgressCallback | None = None
    ) -> list[LoglikelihoodResult]:
        """Score each continuation from the server's echoed prompt logprobs."""

        async def one(request: LoglikelihoodRequest) -> LoglikelihoodResult:
            score = await self._score_pair(request.context, request.continuation)
            return LoglikelihoodResult(score.logprob, score.is_greedy, score.n_tokens)

        return self._run([one(request) for request in requests], progress, lambda _: 1)

    def loglikelihood_rolling(
        self, requests: Sequence[RollingRequest], progress: ProgressCallback | None = None
    ) -> list[RollingResult]:
        """Score every token of each text, window by window."""

        async def one(request: RollingRequest) -> RollingResult:
            total, count = 0.0, 0
            if self.tokenizer is not None and (await self._calibrate()).token_ids:
                tokens = encode_text(self.tokenizer, request.text)
                prefix = prefix_token_id(self.tokenizer)
                for context, predicted in rolling_windows(
                    tokens, prefix_token=prefix, max_length=self.max_length
                ):
                    score = await self._score_ids(context, predicted)
                    total, count = total + score.logprob, count + len(predicted)
            else:
                for before, piece in _text_windows(request.text, self.rolling_chars):
                    score = await self._score_pair(before, piece, keep_spaces=True)
                    total, count = total + score.logprob, count + score.n_tokens
            return RollingResult(total, count, len(request.text.encode("utf-8")))

        return self._run([one(request) for request in requests], progress, lambda _: 1)

    def generate(
        self, requests: Sequence[GenerationRequest], progress: ProgressCallback | None = None
    ) -> list[GenerationResult]:
        """Continue each prompt; the server stops at the stop sequences and we cut again."""
        jobs = []
        for request, r in zip(requests, occurrences(requests), strict=True):
            config = request.config
            if config.do_sample and r:  # the r-th of k equal sampled requests: sample r
                config = config.model_copy(update={"seed": config.seed + r})
            jobs.append(self._generate_one(request.prompt, config))
        return self._run(
            jobs,
            progress,
            lambda _: 1,
            scoring=False,
        )

    # ---- identity ---------------------------------------------------------------------------

    def served_model_id(self) -> str:
        """The model id ``/v1/models`` reports (the one asked for, when the server lists it)."""
        return self._run_one(self._model_id())

    def identity(self) -> ServedIdentity:
        """Model id plus a hash of greedy answers and logprobs on fixed probes.

        The logprobs are rounded to two decimals so the hash is stable on one server, while
        another model under the same name answers differently and hashes differently.
        """
        model_id = self.served_model_id()
        config = GenerationConfig(max_new_tokens=8)
        texts = self.generate([GenerationRequest(p, config) for p in FINGERPRINT_PROMPTS])
        scores = self.loglikelihood(
            [LoglikelihoodRequest(p, " Paris") for p in FINGERPRINT_PROMPTS]
        )
        answers = {
            "generated": [result.text for result in texts],
            "logprobs": [round(score.logprob, 2) for score in scores],
        }
        digest = hashlib.sha256(json.dumps(answers, sort_keys=True).encode("utf-8"))
        return ServedIdentity(model_id=model_id, fingerprint=digest.hexdigest()[:16])

    def replica_identity(self) -> ServedIdentity:
        """The identity every endpoint shares; refused when replicas answer differently.

        Each endpoint is probed on its own: one replica left on old weights would otherwise
        mix two models into one run. Endpoints may report different ids for one model (a
        path and a name); the answers decide, and the first endpoint's id is recorded.
        """
        everyone = self.pool.endpoints
        found: list[tuple[str, ServedIdentity]] = []
        try:
            for endpoint in everyone:
                self.pool.endpoints = [endpoint]
                found.append((endpoint.url, self.identity()))
        finally:
            self.pool.endpoints = everyone
        if len({identity.fingerprint for _, identity in found}) > 1:
            listed = "; ".join(
                f"{public_url(url)} serves {identity.model_id} (answers {identity.fingerprint})"
                for url, identity in found
            )
            raise HarnessError(
                f"the endpoints serve different models: {listed}; "
                "point every --base-url at a replica of the same model"
            )
        return found[0][1]

    # ---- scoring ----------------------------------------------------------------------------

    async def _score_pair(
        self, context: str, continuation: str, *, keep_spaces: bool = False
    ) -> SpanScore:
        scoring = await self._calibrate()
        if scoring.token_ids and self.tokenizer is not None:
            context_ids, continuation_ids = encode_pair(self.tokenizer, context, continuation)
            return await self._score_ids(context_ids, continuation_ids)
        if not keep_spaces:
            # lm-eval's convention: "Answer: " + "A" is scored as "Answer:" + " A".
            n_spaces = len(context) - len(context.rstrip())
            if n_spaces:
                context, continuation = context[:-n_spaces], context[-n_spaces:] + continuation
        prefix = scoring.prefix if context else (scoring.prefix or self._need_bos())
        sent = prefix + context + continuation

        def parse(data: Any) -> tuple[EchoLogprobs, SpanScore, int]:
            echo = EchoLogprobs.from_choice(_first_choice(data))
            base = offset_base(echo, sent, prefix)
            score = span_score(echo, start=len(prefix) + len(context) - base, end=len(sent) - base)
            if continuation and score.n_tokens == 0:
                raise MalformedLogprobs("no echoed token covers the continuation")
            return echo, score, _usage_tokens(data, len(echo.tokens))

        echo, score, used = await self.pool.post("/completions", self._echo_payload(sent), parse)
        self.tokens_processed += used
        if score.first_missing:
            score = await self._with_first_token(score, echo.tokens[0])
        return score

    async def _score_ids(self, context: list[int], continuation: list[int]) -> SpanScore:
        prompt = context + continuation

        def parse(data: Any) -> tuple[SpanScore, int]:
            echo = EchoLogprobs.from_choice(_first_choice(data))
            score = tail_score(echo, n_prompt=len(prompt), n_tail=len(continuation))
            if score.first_missing or score.n_tokens != len(continuation):
                raise MalformedLogprobs("echoed logprobs do not cover the continuation")
            return score, _usage_tokens(data, len(prompt))

        score, used = await self.pool.post("/completions", self._echo_payload(prompt), parse)
        self.tokens_processed += used
        return score

    async def _with_first_token(self, score: SpanScore, token: str) -> SpanScore:
        """Add the first token's logprob after the bare BOS, which echo never reports."""
        if self._first_token is None:
            payload = {
                **self._model_field(),
                "prompt": self._need_bos(),
                "max_tokens": 1,
                "temperature": 0.0,
                "logprobs": FIRST_TOKEN_TOP_K,
            }

            def parse(data: Any) -> dict[str, float]:
                entry = EchoLogprobs.from_choice(_first_choice(data)).top_logprobs[0]
                if not entry:
                    raise MalformedLogprobs("no top_logprobs for the first generated token")
                return entry

            self._first_token = await self.pool.post("/completions", payload, parse)
        if token not in self._first_token:
            raise HarnessError(
                f"the first token {token!r} is not among the server's top {FIRST_TOKEN_TOP_K} "
                "after BOS, so its logprob is unknown; give a tokenizer to use token-id prompts"
            )
        value = self._first_token[token]
        greedy = score.is_greedy and value >= max(self._first_token.values()) - 1e-6
        return SpanScore(score.logprob + value, greedy, score.n_tokens, first_missing=False)

    def _echo_payload(self, prompt: str | list[int]) -> dict[str, Any]:
        # max_tokens=1, not 0: llama.cpp reads 0 as "until the context is full".
        return {
            **self._model_field(),
            "prompt": prompt,
            "max_tokens": 1,
            "temperature": 0.0,
            "echo": True,
            "logprobs": self.top_logprobs,
        }

    # ---- generation -------------------------------------------------------------------------

    async def _generate_one(self, prompt: str, config: GenerationConfig) -> GenerationResult:
        payload: dict[str, Any] = {
            **self._model_field(),
            "max_tokens": config.max_new_tokens,
            "temperature": config.temperature if config.do_sample else 0.0,
            "seed": config.seed,
        }
        if config.do_sample and config.top_p is not None:
            payload["top_p"] = config.top_p
        if config.do_sample and config.top_k is not None:
            payload["top_k"] = config.top_k
        if config.stop:
            payload["stop"] = list(config.stop)
        if self.chat:
            payload["messages"] = [{"role": "user", "content": prompt}]
            path = "/chat/completions"
        else:
            payload["prompt"] = prompt or self._need_bos()
            path = "/completions"

        def parse(data: Any) -> tuple[str, int, int]:
            choice = _first_choice(data)
            text = choice["message"]["content"] if self.chat else choice["text"]
            if not isinstance(text, str):
                raise ValueError("choice text is not a string")
            usage = data.get("usage") or {}
            return text, int(usage.get("completion_tokens", 0)), _usage_tokens(data, 0)

        text, n_new, used = await self.pool.post(path, payload, parse)
        self.tokens_processed += used
        return GenerationResult(text=cut_at_stop(text, config.stop), n_tokens=n_new)

    # ---- calibration ------------------------------------------------------------------------

    async def _calibrate(self) -> _Scoring:
        """Decide once how to ask for prompt logprobs, proving the alignment on a probe."""
        if self._scoring is not None:
            return self._scoring
        if self.model is None:
            self.model = await self._model_id()
        if self.tokenizer is not None:
            ids = encode_text(self.tokenizer, PROBE_TEXT)
            echo = await self.pool.try_once(
                "/completions",
                self._echo_payload(ids),
                lambda data: EchoLogprobs.from_choice(_first_choice(data)),
            )
            if echo is not None:  # else the server takes text prompts only (llama.cpp)
                if detect_layout(echo) is not EchoLayout.ALIGNED:
                    raise HarnessError(
                        f"{self.pool.endpoints[0].url}: echoed logprobs for token-id prompts are "
                        "shifted by one; use text prompts (leave the tokenizer out)"
                    )
                self._scoring = _Scoring(token_ids=True, prefix="")
                return self._scoring
        layout = detect_layout(await self._probe(PROBE_TEXT))
        prefix = ""
        if layout is EchoLayout.SHIFTED:
            prefix = self._need_bos(
                "the server echoes logprobs shifted by one position (llama-cpp-python #1983)"
            )
            if detect_layout(await self._probe(prefix + PROBE_TEXT)) is not EchoLayout.ALIGNED:
                raise HarnessError(
                    "the server echoes logprobs shifted by one position and prefixing the BOS "
                    f"text {prefix!r} does not line them up; this server cannot score"
                )
        self._scoring = _Scoring(token_ids=False, prefix=prefix)
        return self._scoring

    async def _probe(self, prompt: str | list[int]) -> EchoLogprobs:
        def parse(data: Any) -> EchoLogprobs:
            return EchoLogprobs.from_choice(_first_choice(data))

        return await self.pool.post("/completions", self._echo_payload(prompt), parse)

    async def _model_id(self) -> str:
        def parse(data: Any) -> list[str]:
            return [str(entry["id"]) for entry in data["data"]]

        ids = await self.pool.get("/models", parse)
        if self.model is not None and self.model in ids:
            return self.model
        if not ids:
            raise HarnessError(f"{self.pool.endpoints[0].url}/models lists no model")
        return ids[0]

    def _model_field(self) -> dict[str, str]:
        return {"model": self.model} if self.model else {}

    def _need_bos(self, why: str = "scoring without a context") -> str:
        if not self.bos_text:
            raise HarnessError(
                f"{why} needs the model's BOS text; pass the served model's tokenizer "
                "(--tokenizer FOLDER|NAME, or bos_text= in Python)"
            )
        return self.bos_text

    # ---- running coroutines from synchronous callers --------------------------------------

    def _run(
        self,
        jobs: list[Coroutine[Any, Any, T]],
        progress: ProgressCallback | None,
        items: Callable[[T], int],
        *,
        scoring: bool = True,
    ) -> list[T]:
        """Run ``jobs`` concurrently; results in job order, progress as each finishes."""

        async def main() -> list[T]:
            async with self.pool.session():
                try:
                    if scoring:
                        await self._calibrate()
                    elif self.model is None:
                        self.model = await self._model_id()
                except BaseException:
                    for job in jobs:
                        job.close()  # never started: close so Python does not warn
                    raise

                async def tracked(job: Awaitable[T]) -> T:
                    before = self.tokens_processed
                    result = await job
                    if progress is not None:
                        progress(items(result), self.tokens_processed - before)
                    return result

                return list(await asyncio.gather(*(tracked(job) for job in jobs)))

        if not jobs:
            return []
        return asyncio.run(main())

    def _run_one(self, job: Awaitable[T]) -> T:
        async def main() -> T:
            async with self.pool.session():
                return await job

        return asyncio.run(main())


def _first_choice(data: Any) -> Any:
    choices = data["choices"]
    if not isinstance(choices, list) or not choices:
        raise ValueError("answer has no choices")
    return choices[0]


def _usage_tokens(data: Any, fallback: int) -> int:
    usage = data.get("usage") if isinstance(data, dict) else None
    if isinstance(usage, dict) and isinstance(usage.get("total_tokens"), int):
        return int(usage["total_tokens"])
    return fallback


def _text_windows(text: str, size: int) -> list[tuple[str, str]]:
    """(context, piece) pairs whose pieces tile ``text``; cuts fall before whitespace.

    Each piece is at most about ``size`` characters and is scored after up to ``size``
    characters of the text before it, so a window fits the server's context.
    """
    windows: list[tuple[str, str]] = []
    start = 0
    while start < len(text):
        end = min(len(text), start + size)
        if end < len(text):
            cut = max(text.rfind(" ", start + 1, end), text.rfind("\n", start + 1, end))
            end = cut if cut > start else end
        windows.append((text[max(0, start - size) : start], text[start:end]))
        start = end
    return windows


def public_url(url: str) -> str:
    """``url`` without user, password or query: what may be stored, logged and exported."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port is not None:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, "", ""))
