"""Machine-readable gate results: the JSON payload for CI systems, and the stored decision.

The JUnit XML file embeds the text table, so it is a report: :mod:`harness.report.junit`.
"""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from harness.compare.comparison import Comparison
from harness.compare.verdict import Policy, exit_code
from harness.store import GateDecisionRecord, Store


def decision_record(comparison: Comparison, policy: Policy) -> GateDecisionRecord:
    """The store's record of this comparison's verdict under ``policy``."""
    return GateDecisionRecord(
        created_at=datetime.now(UTC),
        baseline_run_id=comparison.baseline_run_id,
        candidate_run_id=comparison.candidate_run_id,
        suite=comparison.suite,
        verdict=comparison.verdict,
        policy=policy,
        exit_code=exit_code(comparison.verdict, policy),
        margins=comparison.margins,
        comparison=comparison.to_dict(),
    )


def record_decision(store: Store, comparison: Comparison, policy: Policy) -> int:
    """Store the decision with its two run ids; returns the decision id."""
    return store.add_gate_decision(decision_record(comparison, policy))


def json_report(comparison: Comparison, policy: Policy) -> dict[str, Any]:
    """The comparison plus the policy and exit code, NaN written as null."""
    payload = comparison.to_dict()
    payload["policy"] = policy
    payload["exit_code"] = exit_code(comparison.verdict, policy)
    return _finite(payload)


def write_json(path: str | Path, comparison: Comparison, policy: Policy) -> None:
    _write(path, json.dumps(json_report(comparison, policy), indent=2) + "\n")


def _write(path: str | Path, text: str) -> None:
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text)


def _finite(value: Any) -> Any:
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_finite(v) for v in value]
    return value
