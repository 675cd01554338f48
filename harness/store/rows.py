"""Records to column values and back.

Backend-neutral: a row is a ``dict`` keyed by column name (column names equal field names),
so the SQLite store and any later backend share the same encoding of JSON, datetimes and
non-finite floats.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from harness.store.codec import (
    decode_datetime,
    decode_json,
    encode_datetime,
    encode_json,
    finite_or_none,
    nan_if_none,
)
from harness.store.records import (
    GateDecisionRecord,
    ModelRecord,
    RunAttempt,
    RunLease,
    RunRecord,
    SampleRecord,
    ScoreRecord,
    TaskResultRecord,
    VariantRecord,
)

Row = Mapping[str, Any]


def model_to_row(model: ModelRecord) -> dict[str, Any]:
    """Column values for ``models``."""
    return {**model.model_dump(exclude={"details"}), "details": encode_json(model.details)}


def model_from_row(row: Row) -> ModelRecord:
    """Rebuild a :class:`ModelRecord` from a ``models`` row."""
    return ModelRecord.model_validate({**row, "details": decode_json(row["details"])})


def run_to_row(run: RunRecord) -> dict[str, Any]:
    """Column values for ``runs``."""
    return {
        **run.model_dump(exclude={"created_at", "config"}),
        "created_at": encode_datetime(run.created_at),
        "config": encode_json(run.config),
    }


def run_from_row(row: Row) -> RunRecord:
    """Rebuild a :class:`RunRecord` from a ``runs`` row."""
    return RunRecord.model_validate(
        {
            **row,
            "created_at": decode_datetime(row["created_at"]),
            "config": decode_json(row["config"]),
        }
    )


def lease_from_row(row: Row) -> RunLease:
    """Rebuild a :class:`RunLease` from the lease columns of a ``runs`` row."""
    beat = row["heartbeat_at"]
    return RunLease.model_validate(
        {**row, "heartbeat_at": decode_datetime(beat) if beat is not None else None}
    )


def attempt_to_row(attempt: RunAttempt) -> dict[str, Any]:
    """Column values for ``run_attempts``."""
    return {
        **attempt.model_dump(exclude={"started_at"}),
        "started_at": encode_datetime(attempt.started_at),
    }


def attempt_from_row(row: Row) -> RunAttempt:
    """Rebuild a :class:`RunAttempt` from a ``run_attempts`` row."""
    return RunAttempt.model_validate({**row, "started_at": decode_datetime(row["started_at"])})


def task_result_to_row(result: TaskResultRecord) -> dict[str, Any]:
    """Column values for ``task_results``."""
    return {**result.model_dump(exclude={"details"}), "details": encode_json(result.details)}


def task_result_from_row(row: Row) -> TaskResultRecord:
    """Rebuild a :class:`TaskResultRecord` from a ``task_results`` row."""
    return TaskResultRecord.model_validate({**row, "details": decode_json(row["details"])})


def score_to_row(score: ScoreRecord) -> dict[str, Any]:
    """Column values for ``scores``; NaN is stored as NULL (databases cannot hold it).

    A NaN value comes back as NaN; a NaN stderr or interval bound comes back as ``None``,
    because for those "undefined" and "unknown" mean the same thing.
    """
    return {
        **score.model_dump(exclude={"extra"}),
        "value": None if math.isnan(score.value) else score.value,
        "stderr": finite_or_none(score.stderr),
        "ci_low": finite_or_none(score.ci_low),
        "ci_high": finite_or_none(score.ci_high),
        "higher_is_better": int(score.higher_is_better),
        "extra": encode_json(score.extra),
    }


def score_from_row(row: Row) -> ScoreRecord:
    """Rebuild a :class:`ScoreRecord`; a NULL value was a NaN and comes back as one."""
    return ScoreRecord.model_validate(
        {
            **row,
            "value": nan_if_none(row["value"]),
            "higher_is_better": bool(row["higher_is_better"]),
            "extra": decode_json(row["extra"]),
        }
    )


def sample_to_row(sample: SampleRecord) -> dict[str, Any]:
    """Column values for ``samples``."""
    return {
        **sample.model_dump(exclude={"outputs", "metrics"}),
        "outputs": encode_json(sample.outputs.model_dump()),
        "metrics": encode_json(sample.metrics),
    }


def sample_from_row(row: Row) -> SampleRecord:
    """Rebuild a :class:`SampleRecord`; a per-item metric stored as null was NaN."""
    metrics = decode_json(row["metrics"])
    return SampleRecord.model_validate(
        {
            **row,
            "outputs": decode_json(row["outputs"]),
            "metrics": {name: nan_if_none(value) for name, value in metrics.items()},
        }
    )


def gate_decision_to_row(decision: GateDecisionRecord) -> dict[str, Any]:
    """Column values for ``gate_decisions`` (the id is left to the database)."""
    return {
        **decision.model_dump(exclude={"decision_id", "created_at", "margins", "comparison"}),
        "created_at": encode_datetime(decision.created_at),
        "margins": encode_json(decision.margins),
        "comparison": encode_json(decision.comparison),
    }


def gate_decision_from_row(row: Row) -> GateDecisionRecord:
    """Rebuild a :class:`GateDecisionRecord` from a ``gate_decisions`` row."""
    return GateDecisionRecord.model_validate(
        {
            **row,
            "created_at": decode_datetime(row["created_at"]),
            "margins": decode_json(row["margins"]),
            "comparison": decode_json(row["comparison"]),
        }
    )


def variant_to_row(variant: VariantRecord) -> dict[str, Any]:
    """Column values for ``variants``; a non-finite loss or time is stored as null."""
    return {
        **variant.model_dump(exclude={"created_at", "final_losses", "details"}),
        "training_seconds": finite_or_none(variant.training_seconds),
        "final_losses": encode_json(variant.final_losses),
        "details": encode_json(variant.details),
        "created_at": encode_datetime(variant.created_at),
    }


def variant_from_row(row: Row) -> VariantRecord:
    """Rebuild a :class:`VariantRecord`; a loss stored as null was NaN."""
    losses = decode_json(row["final_losses"])
    return VariantRecord.model_validate(
        {
            **row,
            "final_losses": {name: nan_if_none(value) for name, value in losses.items()},
            "details": decode_json(row["details"]),
            "created_at": decode_datetime(row["created_at"]),
        }
    )
