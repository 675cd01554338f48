"""Machine-readable gate results for CI systems: JUnit XML and JSON, and the stored decision."""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

from harness.compare.comparison import Comparison
from harness.compare.table import format_comparison
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


def junit_xml(comparison: Comparison, policy: Policy) -> str:
    """One test case per primary row; a regression is a failure, doubt a failure or skip.

    Under ``warn`` an inconclusive row is a skipped test (visible, not red); under
    ``fail-on-inconclusive`` it fails like the gate does.
    """
    primary = [r for r in comparison.rows if r.primary or r.verdict == "regress"]
    suite = ET.Element(
        "testsuite",
        name=f"harness-gate.{comparison.suite}",
        tests=str(len(primary)),
        failures=str(
            sum(
                r.verdict == "regress"
                or (r.verdict == "inconclusive" and policy == "fail-on-inconclusive")
                for r in primary
            )
        ),
        skipped=str(sum(r.verdict == "inconclusive" and policy == "warn" for r in primary)),
    )
    table = format_comparison(comparison)
    for row in primary:
        case = ET.SubElement(
            suite,
            "testcase",
            classname=f"harness.{comparison.suite}",
            name=f"{row.name}.{row.metric}",
        )
        summary = (
            f"{row.metric} on {row.name}: baseline {row.baseline:.4f}, candidate "
            f"{row.candidate:.4f}, diff {row.difference:+.4f} "
            f"[{row.ci_low:+.4f}, {row.ci_high:+.4f}], margin {row.margin}, n {row.n}"
        )
        if row.verdict == "regress":
            ET.SubElement(case, "failure", message=f"regress: {summary}").text = table
        elif row.verdict == "inconclusive":
            tag = "failure" if policy == "fail-on-inconclusive" else "skipped"
            ET.SubElement(case, tag, message=f"inconclusive: {summary}").text = table
    return ET.tostring(suite, encoding="unicode", xml_declaration=True) + "\n"


def write_junit(path: str | Path, comparison: Comparison, policy: Policy) -> None:
    _write(path, junit_xml(comparison, policy))


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
