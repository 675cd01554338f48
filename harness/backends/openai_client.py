"""HTTP to one or more OpenAI-compatible servers: least-loaded routing, retries, dropping dead ends.

Every request goes to the live endpoint with the fewest requests in flight (each endpoint
runs at most ``max_concurrency`` at once). Connection errors, timeouts, 429 and 5xx answers,
and bodies the caller's parser rejects are retried with exponential backoff (a server's
``Retry-After`` wins), on another endpoint where there is one. An endpoint that fails
``max_failures`` times in a row is dropped for the rest of the run; when none is left, or a
request has used up its retries, the run stops with one ``HarnessError`` line. The API key
goes into the ``Authorization`` header only and is scrubbed from every message.
"""

from __future__ import annotations

import asyncio
import json
import random
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, TypeVar

import httpx

from harness.errors import HarnessError

T = TypeVar("T")


class ClientError(HarnessError):
    """The server refused the request itself (4xx other than 429): retrying cannot help."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


class Secret:
    """Holds an API key so that no repr, vars() dump or log line can show it."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        """The key itself, for the Authorization header only."""
        return self._value

    def __repr__(self) -> str:
        return "Secret('***')"


@dataclass
class Endpoint:
    """One server's base URL and what the pool knows about its health."""

    url: str
    in_flight: int = 0
    answered: int = 0
    failures_in_a_row: int = 0
    dropped: bool = False
    last_error: str = ""


@dataclass
class _Session:
    client: httpx.AsyncClient
    slots: dict[str, asyncio.Semaphore] = field(default_factory=dict)


class EndpointPool:
    """Routes JSON requests over several base URLs; the state survives between runs."""

    def __init__(
        self,
        base_urls: list[str],
        *,
        api_key: str | None = None,
        max_concurrency: int = 4,
        timeout_s: float = 120.0,
        max_retries: int = 5,
        max_failures: int = 3,
        backoff_s: float = 0.5,
        max_backoff_s: float = 30.0,
    ) -> None:
        if not base_urls:
            raise HarnessError(
                "no base URL given; pass at least one, e.g. http://127.0.0.1:8000/v1"
            )
        if max_concurrency < 1:
            raise HarnessError(f"max_concurrency must be at least 1, got {max_concurrency}")
        self.endpoints = [Endpoint(url.rstrip("/")) for url in base_urls]
        self._api_key = Secret(api_key) if api_key else None
        self.max_concurrency = max_concurrency
        self.timeout_s = timeout_s
        self.max_retries = max_retries
        self.max_failures = max_failures
        self.backoff_s = backoff_s
        self.max_backoff_s = max_backoff_s
        self._session: _Session | None = None

    def __repr__(self) -> str:
        urls = ", ".join(endpoint.url for endpoint in self.endpoints)
        return f"EndpointPool([{urls}], max_concurrency={self.max_concurrency})"

    @asynccontextmanager
    async def session(self) -> AsyncIterator[None]:
        """Open one HTTP client (and per-endpoint limits) for the requests of one event loop."""
        headers = {"Authorization": f"Bearer {self._api_key.reveal()}"} if self._api_key else {}
        limits = httpx.Limits(max_connections=self.max_concurrency * len(self.endpoints))
        async with httpx.AsyncClient(
            headers=headers, timeout=httpx.Timeout(self.timeout_s), limits=limits
        ) as client:
            slots = {e.url: asyncio.Semaphore(self.max_concurrency) for e in self.endpoints}
            self._session = _Session(client, slots)
            try:
                yield
            finally:
                self._session = None

    async def post(self, path: str, payload: dict[str, Any], parse: Callable[[Any], T]) -> T:
        """POST ``payload`` to ``path`` on the least-loaded endpoint; ``parse`` the JSON or retry."""
        return await self._request("POST", path, payload, parse)

    async def get(self, path: str, parse: Callable[[Any], T]) -> T:
        """GET ``path`` from the least-loaded endpoint and ``parse`` its JSON."""
        return await self._request("GET", path, None, parse)

    async def try_once(
        self, path: str, payload: dict[str, Any], parse: Callable[[Any], T]
    ) -> T | None:
        """One POST with no retry and no mark against the endpoint; None on any failure.

        For asking what a server supports (token-id prompts): llama-cpp-python answers a
        prompt it cannot parse with HTTP 500, which must not count as the server failing.
        """
        if self._session is None:
            raise RuntimeError("EndpointPool used outside `async with pool.session()`")
        endpoint = self._pick(set())
        async with self._session.slots[endpoint.url]:
            try:
                outcome = await self._attempt(self._session.client, endpoint, "POST", path, payload)
            except ClientError:
                return None
        if not isinstance(outcome, httpx.Response):
            return None
        try:
            return parse(outcome.json())
        except (json.JSONDecodeError, ValueError, KeyError, TypeError, IndexError):
            return None

    async def _request(
        self, method: str, path: str, payload: dict[str, Any] | None, parse: Callable[[Any], T]
    ) -> T:
        if self._session is None:
            raise RuntimeError("EndpointPool used outside `async with pool.session()`")
        session = self._session
        failed_here: set[str] = set()
        last_error = ""
        for attempt in range(self.max_retries + 1):
            endpoint = self._pick(failed_here)
            endpoint.in_flight += 1
            try:
                async with session.slots[endpoint.url]:
                    outcome = await self._attempt(session.client, endpoint, method, path, payload)
                    if isinstance(outcome, httpx.Response):
                        value = parse(outcome.json())
                        endpoint.failures_in_a_row = 0
                        endpoint.answered += 1
                        return value
                    error, delay = outcome
            except (json.JSONDecodeError, ValueError, KeyError, TypeError, IndexError) as exc:
                error, delay = f"unusable answer ({self._scrub(str(exc))[:200]})", None
            finally:
                endpoint.in_flight -= 1
            last_error = f"{endpoint.url}{path}: {error}"
            self._record_failure(endpoint, error)
            failed_here.add(endpoint.url)
            if attempt < self.max_retries:
                await asyncio.sleep(self._backoff(attempt) if delay is None else delay)
        raise HarnessError(
            f"{method} {path} failed {self.max_retries + 1} times; last: {last_error}; "
            f"check the server logs or raise max_retries"
        )

    async def _attempt(
        self,
        client: httpx.AsyncClient,
        endpoint: Endpoint,
        method: str,
        path: str,
        payload: dict[str, Any] | None,
    ) -> httpx.Response | tuple[str, float | None]:
        """The response when it is worth parsing, else (what went wrong, how long to wait)."""
        try:
            response = await client.request(method, endpoint.url + path, json=payload)
        except httpx.TransportError as exc:  # connect/read/write errors and timeouts
            return f"{type(exc).__name__}", None
        if response.status_code == 429 or response.status_code >= 500:
            return f"HTTP {response.status_code}", self._retry_after(response)
        if response.status_code >= 400:
            body = self._scrub(response.text)[:200].replace("\n", " ")
            raise ClientError(
                f"{endpoint.url}{path}: HTTP {response.status_code}: {body}",
                response.status_code,
            )
        return response

    def _pick(self, avoid: set[str]) -> Endpoint:
        live = [endpoint for endpoint in self.endpoints if not endpoint.dropped]
        if not live:
            details = "; ".join(f"{e.url}: {e.last_error}" for e in self.endpoints)
            raise HarnessError(
                f"all {len(self.endpoints)} endpoint(s) failed {self.max_failures} times in a row "
                f"and were dropped ({details}); check that the servers are up"
            )
        fresh = [endpoint for endpoint in live if endpoint.url not in avoid] or live
        return min(fresh, key=lambda e: (e.in_flight, e.answered))

    def _record_failure(self, endpoint: Endpoint, error: str) -> None:
        endpoint.failures_in_a_row += 1
        endpoint.last_error = error
        if endpoint.failures_in_a_row >= self.max_failures:
            endpoint.dropped = True

    def _backoff(self, attempt: int) -> float:
        delay = min(self.max_backoff_s, self.backoff_s * 2**attempt)
        return delay * (0.5 + random.random() / 2)  # jitter so retries do not arrive in step

    def _retry_after(self, response: httpx.Response) -> float | None:
        raw = response.headers.get("Retry-After")
        try:
            return min(self.max_backoff_s, max(0.0, float(raw))) if raw is not None else None
        except ValueError:
            return None  # an HTTP date: fall back to our own backoff

    def _scrub(self, text: str) -> str:
        return text.replace(self._api_key.reveal(), "***") if self._api_key else text
