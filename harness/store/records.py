"""What the store keeps: one pydantic model per table row.

Every number the harness prints must be traceable to the exact model weights, task config,
data, prompts, seeds and code that produced it. These records are that chain of evidence;
the store writes and reads them and nothing else, so callers never see SQL rows.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator

from harness.store.sample_outputs import SampleOutputs

RunStatus = Literal["running", "complete", "failed"]
RUN_STATUSES: tuple[RunStatus, ...] = ("running", "complete", "failed")

ScoreScope = Literal["task", "aggregate"]
SCORE_SCOPES: tuple[ScoreScope, ...] = ("task", "aggregate")


class _Record(BaseModel):
    """Shared config: unknown fields are typos, so they fail loudly instead of vanishing."""

    # ``model_hash`` and ``model_spec`` are real field names here, not pydantic internals.
    model_config = ConfigDict(extra="forbid", protected_namespaces=())


class ModelRecord(_Record):
    """The weights a run evaluated, keyed by their hash so renamed files still match."""

    model_hash: str
    spec: str
    name: str
    source: str
    n_parameters: int
    dtype: str
    details: dict[str, Any] = Field(default_factory=dict)


class RunRecord(_Record):
    """One invocation of a suite against one model, with everything needed to reproduce it."""

    run_id: str
    created_at: AwareDatetime
    status: RunStatus
    suite: str
    suite_hash: str
    model_spec: str
    model_hash: str
    harness_version: str
    git_commit: str | None
    device: str
    dtype: str
    config: dict[str, Any]
    wall_time_s: float | None = None
    tokens_processed: int | None = None
    error: str | None = None

    @field_validator("created_at")
    @classmethod
    def _in_utc(cls, value: datetime) -> datetime:
        """Normalise to UTC so stored timestamps sort as text and compare across machines."""
        return value.astimezone(UTC)


class RunLease(_Record):
    """Who holds a run (host, pid, token) and when it last beat; see :mod:`harness.runner.lease`.

    ``lease_token`` is ``None`` for runs stored before leases existed.
    """

    run_id: str
    status: RunStatus
    lease_token: str | None = None
    lease_host: str | None = None
    lease_pid: int | None = None
    heartbeat_at: AwareDatetime | None = None


class RunAttempt(_Record):
    """One process's share of a run: a resumed run has one per start, figures kept apart."""

    run_id: str
    attempt: int
    started_at: AwareDatetime
    host: str
    pid: int
    status: RunStatus
    wall_time_s: float | None = None
    tokens_processed: int | None = None
    error: str | None = None


class TaskResultRecord(_Record):
    """One task finished inside a run: the provenance its scores and samples hang from."""

    run_id: str
    task: str
    task_hash: str
    data_hash: str
    num_fewshot: int
    fewshot_seed: int | None
    n_items: int
    wall_time_s: float
    tokens_processed: int
    details: dict[str, Any] = Field(default_factory=dict)


class ScoreRecord(_Record):
    """One metric value for a task or for an aggregate over tasks (e.g. ``mmlu/stem``)."""

    run_id: str
    scope: ScoreScope
    name: str
    metric: str
    value: float
    stderr: float | None
    ci_low: float | None
    ci_high: float | None
    n: int
    higher_is_better: bool
    extra: dict[str, Any] = Field(default_factory=dict)


GateVerdict = Literal["pass", "regress", "inconclusive"]


class GateDecisionRecord(_Record):
    """A gate's verdict on a candidate run against a baseline run, with the table behind it.

    ``decision_id`` is assigned by the store; ``comparison`` is the full comparison
    (rows, margins, notes) as JSON, so a decision can be audited after the fact.
    """

    decision_id: int | None = None
    created_at: AwareDatetime
    baseline_run_id: str
    candidate_run_id: str
    suite: str
    verdict: GateVerdict
    policy: str
    exit_code: int
    margins: dict[str, float]
    comparison: dict[str, Any]

    @field_validator("created_at")
    @classmethod
    def _in_utc(cls, value: datetime) -> datetime:
        """Normalise to UTC so stored timestamps sort as text."""
        return value.astimezone(UTC)


class SampleRecord(_Record):
    """One evaluated item, kept so any score can be recomputed or audited item by item.

    ``outputs`` is typed by the kind of request (multiple choice, generation, rolling); see
    :mod:`harness.store.sample_outputs` for how it is stored without a kind tag.
    """

    run_id: str
    task: str
    doc_id: int
    doc_hash: str
    prompt_hash: str
    target: str
    prediction: str
    outputs: SampleOutputs
    metrics: dict[str, float]


class VariantRecord(_Record):
    """One model the lab produced or started from, as the variant registry stores it.

    ``harness.registry.Variant`` is the public face; this record is its row.
    """

    variant_id: str
    name: str
    kind: str
    parent_id: str | None
    spec: str | None
    path: str | None
    recipe: str | None
    config_hash: str | None
    data_hash: str | None
    weights_hash: str
    total_params: int
    trainable_params: int
    size_bytes: int
    training_seconds: float | None
    final_losses: dict[str, float] = Field(default_factory=dict)
    details: dict[str, Any] = Field(default_factory=dict)
    created_at: AwareDatetime

    @field_validator("created_at")
    @classmethod
    def _in_utc(cls, value: datetime) -> datetime:
        """Normalise to UTC so stored timestamps sort as text."""
        return value.astimezone(UTC)
