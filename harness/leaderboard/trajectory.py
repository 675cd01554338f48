"""An agent's stored trajectory (ReAct) as rows the Samples page shows, one per step."""

from __future__ import annotations

from harness.store import GenerationOutputs, SampleOutputs

TRAJECTORY_COLUMNS = ("step", "thought", "action", "observation")


def trajectory_rows(outputs: SampleOutputs) -> list[dict[str, str]]:
    """Each step's thought, action (invalid ones marked) and observation; [] without steps."""
    if not isinstance(outputs, GenerationOutputs) or not outputs.steps:
        return []
    return [
        {
            "step": str(number),
            "thought": step.thought,
            "action": step.action if step.tool != "invalid" else f"(invalid) {step.action}",
            "observation": step.observation,
        }
        for number, step in enumerate(outputs.steps, start=1)
    ]
