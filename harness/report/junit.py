"""The gate's JUnit XML: one test case per primary comparison row, the text table as detail.

CI systems (GitLab, Jenkins, GitHub test reporters) show a failed case's text, so a
regression arrives with the whole comparison table beside it.
"""

from __future__ import annotations

from pathlib import Path
from xml.etree import ElementTree as ET

from harness.compare import Comparison, Policy
from harness.report.comparison_table import format_comparison


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
    """Write :func:`junit_xml` to ``path``, creating its folder."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(junit_xml(comparison, policy))
