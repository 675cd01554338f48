"""Data-parallel evaluation: any in-process backend run as N Ray actors, driven from here.

Each actor builds the backend once from the run's :class:`BackendSettings` (so it loads
the model once) and answers whole shards of requests. Every call splits its requests
into length-balanced shards (``request_shards``), hands them to actors as they free up
and writes the answers back in request order; the driver (this process) is the only one
that writes the store, so a killed run resumes as any other does.

Faults are Ray's business first: an actor that dies is restarted (``max_restarts``) and
its call retried on it (``max_task_retries``). An actor that is gone for good has its
shard re-run on another; the call fails with one line only when no actor is left.

Ray is an optional extra and is imported here only, so ``harness --help`` stays instant.
"""

from __future__ import annotations

import logging
import socket
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, TypeVar, cast

from harness.backends.base import ProgressCallback
from harness.backends.request_shards import length_balanced_shards
from harness.backends.requests import (
    GenerationRequest,
    GenerationResult,
    LoglikelihoodRequest,
    LoglikelihoodResult,
    RollingRequest,
    RollingResult,
)
from harness.errors import HarnessError
from harness.store.records import ModelRecord

try:
    import ray
    from ray.exceptions import ActorDiedError, RayActorError, RayTaskError
except ImportError:  # pragma: no cover - the extra is part of the dev set-up
    raise HarnessError("--ray needs Ray; install it with: pip install 'harness-lab[ray]'") from None

if TYPE_CHECKING:
    from harness.backends.base import Backend
    from harness.backends.settings import BackendSettings

# Ray's own fault tolerance: a dead actor is restarted this often (reloading its model) and
# the call it was running is retried on it this often, before the driver gives up on it.
MAX_RESTARTS = 2
MAX_TASK_RETRIES = 2
# Shards per replica and call: more than one lets a fast replica take work from a slow one
# and bounds what a dying replica loses; few enough that each shard still fills batches.
SHARDS_PER_REPLICA = 4
PROBE_TIMEOUT_S = 5.0

Answer = TypeVar("Answer")
logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ReplicaFacts:
    """What a replica reports once its backend is built: who answers, and where."""

    record: ModelRecord
    tokenizer: Any
    device: str  # the backend's device, with the accelerator's name where there is one
    node_id: str
    applies_chat_template: bool


class ReplicaWorker:
    """The body of one Ray actor: one backend, built once, answering shards of requests."""

    def __init__(self, backend_class: Any, settings: BackendSettings) -> None:
        # A failure to build (an unknown model, a bad flag) is kept and raised from
        # ``describe``: Ray then hands the driver the exception itself, where a crash in
        # the constructor would only restart the actor to fail the same way again.
        self.error: Exception | None = None
        try:
            self.backend: Backend = backend_class.from_settings(settings)
        except Exception as exc:
            self.error = exc

    def describe(self) -> ReplicaFacts:
        """The model record, tokenizer and device of this replica (or why it has none)."""
        if self.error is not None:
            raise self.error
        device = self.backend.device
        if device.startswith("cuda"):
            import torch

            device = f"{device} ({torch.cuda.get_device_name(device)})"
        return ReplicaFacts(
            record=self.backend.model_record(),
            tokenizer=self.backend.tokenizer,
            device=device,
            node_id=ray.get_runtime_context().get_node_id(),
            applies_chat_template=self.backend.applies_chat_template,
        )

    def run(self, method: str, requests: list[Any]) -> tuple[list[Any], int]:
        """One backend call over a shard: its answers in shard order and the tokens it ran."""
        before = self.backend.tokens_processed
        answers = getattr(self.backend, method)(requests)
        return answers, self.backend.tokens_processed - before


class RayReplicas:
    """A backend whose calls are answered by N replicas of another backend on a Ray cluster.

    Built by :func:`start_replicas`; the runner uses it like the backend it wraps.
    """

    def __init__(self, actors: list[Any], facts: list[ReplicaFacts]) -> None:
        self._actors = list(actors)
        self._started = len(actors)
        first = facts[0]
        self.tokenizer = first.tokenizer
        self.applies_chat_template = first.applies_chat_template
        self._record = first.record
        nodes = len({f.node_id for f in facts})
        devices = ", ".join(sorted({f.device for f in facts}))
        self.device = (
            f"ray: {len(actors)} replicas on {nodes} node{'s' if nodes > 1 else ''}, {devices}"
        )
        self.tokens_processed = 0

    served = False  # replicas of an in-process backend: nothing to pay for twice

    @property
    def replicas_alive(self) -> int:
        """Actors still answering (a restarted one counts; one gone for good does not)."""
        return len(self._actors)

    def model_record(self) -> ModelRecord:
        """The replicas' model identity (they all load the same weights; checked at start)."""
        return self._record

    def loglikelihood(
        self, requests: Sequence[LoglikelihoodRequest], progress: ProgressCallback | None = None
    ) -> list[LoglikelihoodResult]:
        """Score each continuation, shards spread over the replicas."""
        return self._map("loglikelihood", requests, progress)

    def loglikelihood_rolling(
        self, requests: Sequence[RollingRequest], progress: ProgressCallback | None = None
    ) -> list[RollingResult]:
        """Score each whole text, shards spread over the replicas."""
        return self._map("loglikelihood_rolling", requests, progress)

    def generate(
        self, requests: Sequence[GenerationRequest], progress: ProgressCallback | None = None
    ) -> list[GenerationResult]:
        """Generate for each prompt, shards spread over the replicas."""
        return self._map("generate", requests, progress)

    def _map(
        self, method: str, requests: Sequence[Any], progress: ProgressCallback | None
    ) -> list[Any]:
        """Run ``method`` over ``requests`` shard by shard, answers back in request order."""
        if not requests:
            return []
        pending = deque(length_balanced_shards(requests, len(self._actors) * SHARDS_PER_REPLICA))
        answers: list[Any] = [None] * len(requests)
        idle = list(self._actors)
        in_flight: dict[Any, tuple[Any, list[int]]] = {}
        while pending or in_flight:
            while pending and idle:
                actor, shard = idle.pop(0), pending.popleft()
                ref = actor.run.remote(method, [requests[i] for i in shard])
                in_flight[ref] = (actor, shard)
            (ref,), _ = ray.wait(list(in_flight), num_returns=1)
            actor, shard = in_flight.pop(ref)
            try:
                shard_answers, tokens = ray.get(ref)
            except RayActorError as exc:
                pending.appendleft(shard)  # the next free replica runs it again
                if isinstance(exc, ActorDiedError):
                    self._lose(actor, exc)
                else:  # restarting: it takes work again once back
                    idle.append(actor)
                continue
            except RayTaskError as exc:  # the backend raised: the same error as in-process
                raise _cause(exc) from None
            idle.append(actor)
            for index, answer in zip(shard, shard_answers, strict=True):
                answers[index] = answer
            self.tokens_processed += tokens
            if progress is not None:
                progress(len(shard), tokens)
        return answers

    def _lose(self, actor: Any, exc: RayActorError) -> None:
        """Drop a replica that is gone for good; fail in one line when it was the last."""
        self._actors.remove(actor)
        reason = _first_line(exc)
        logger.warning(
            "a Ray replica died for good (%d of %d left); its shard runs on another: %s",
            len(self._actors),
            self._started,
            reason,
        )
        if not self._actors:
            raise HarnessError(
                f"every Ray replica died ({self._started} started; Ray restarts one up to "
                f"{MAX_RESTARTS} times); last: {reason}; the finished tasks are stored, "
                "continue with --resume RUN"
            )


def start_replicas(
    backend_class: Any, settings: BackendSettings, *, address: str, replicas: int
) -> Backend:
    """``replicas`` actors of ``backend_class`` on the Ray cluster at ``address``, ready.

    ``address`` is ``auto`` (the cluster ``RAY_ADDRESS`` or ``ray start`` set up, else a new
    one on this machine) or a head's ``HOST:PORT`` / ``ray://HOST:PORT``. A process already
    connected to Ray (a notebook, a test) keeps its connection. With ``--device cuda`` each
    replica gets one GPU of its own; otherwise one CPU.
    """
    if replicas < 1:
        raise HarnessError(f"--replicas must be at least 1, got {replicas}")
    if settings.base_urls:
        raise HarnessError(
            "--ray runs in-process backends; a served model scales with more --base-url, "
            "so drop --ray or --base-url"
        )
    if settings.device not in ("cpu", "cuda", "cuda:0"):
        raise HarnessError(
            f"--device {settings.device}: under --ray each replica gets one CPU or a GPU of "
            "its own; pass --device cpu or --device cuda"
        )
    on_gpu = settings.device != "cpu"
    connect(address)
    resources = {"CPU": 1, "GPU": 1} if on_gpu else {"CPU": 1}
    _check_room(resources, replicas, address)
    remote = ray.remote(ReplicaWorker).options(
        num_cpus=1,
        num_gpus=1 if on_gpu else 0,
        max_restarts=MAX_RESTARTS,
        max_task_retries=MAX_TASK_RETRIES,
        scheduling_strategy="SPREAD",
    )
    # The model is loaded by each actor; a model the caller already loaded stays here.
    actor_settings = replace(settings, loaded=None)
    actors: list[Any] = [remote.remote(backend_class, actor_settings) for _ in range(replicas)]
    facts: list[ReplicaFacts] = []
    alive: list[Any] = []
    for actor, ref in [(actor, actor.describe.remote()) for actor in actors]:
        try:
            facts.append(ray.get(ref))
            alive.append(actor)
        except RayTaskError as exc:  # the backend could not be built: as in-process
            raise _cause(exc) from None
        except RayActorError as exc:
            logger.warning("a Ray replica did not start: %s", _first_line(exc))
    if not alive:
        raise HarnessError(f"no Ray replica started ({replicas} tried); see the Ray logs")
    hashes = {f.record.model_hash for f in facts}
    if len(hashes) > 1:
        raise HarnessError(
            f"the Ray replicas loaded different weights for '{settings.model}' "
            f"({len(hashes)} weight hashes); give every node the same model files"
        )
    return cast("Backend", RayReplicas(alive, facts))  # built here, not from the backend table


def connect(address: str) -> None:
    """Join the Ray cluster at ``address`` (see :func:`start_replicas`), or fail in one line."""
    if ray.is_initialized():
        return
    target = None if address == "auto" else address
    if target is not None:
        _probe(target)
    try:
        ray.init(
            address=target,
            include_dashboard=False,
            log_to_driver=False,
            logging_level=logging.WARNING,
        )
    except (ConnectionError, RuntimeError, ValueError) as exc:
        raise HarnessError(f"--ray {address}: {_first_line(exc)}") from None


def _probe(address: str) -> None:
    """Refuse an address no head answers at within seconds (``ray.init`` retries for minutes)."""
    host, _, port = address.removeprefix("ray://").rpartition(":")
    if not host or not port.isdigit():
        raise HarnessError(
            f"--ray {address}: not a Ray address; pass auto, HOST:PORT (the head's port, "
            "6379 by default) or ray://HOST:PORT"
        )
    try:
        socket.create_connection((host, int(port)), timeout=PROBE_TIMEOUT_S).close()
    except OSError as exc:
        raise HarnessError(
            f"--ray {address}: no Ray head answers there ({exc.strerror or exc}); start one "
            "with `ray start --head` or pass --ray auto"
        ) from None


def _check_room(per_replica: dict[str, int], replicas: int, address: str) -> None:
    """Fail now, not hang, when the cluster can never hold ``replicas`` actors."""
    total = ray.cluster_resources()
    for name, need in per_replica.items():
        have = int(total.get(name, 0))
        if have < need * replicas:
            raise HarnessError(
                f"--replicas {replicas} needs {need * replicas} {name}s, one per replica; the "
                f"Ray cluster at {address} has {have}; lower --replicas or add nodes"
            )


def _cause(exc: RayTaskError) -> BaseException:
    """The exception the backend raised inside the actor (a HarnessError stays one line)."""
    cause = getattr(exc, "cause", None)
    return cause if isinstance(cause, BaseException) else exc


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0][:300].rstrip(".") if text else type(exc).__name__
