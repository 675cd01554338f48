"""How an agent's trajectories went (ReAct): steps used, invalid actions, finishing.

Each is a mean over items of a per-trajectory value: the number of steps, the share of
the trajectory's steps whose action named no tool, and 1 when the trajectory ended with
``finish`` (0 when the step limit ended it).
"""

from __future__ import annotations

from harness.metrics.base import MeanMetric, missing_field
from harness.metrics.outcome import ItemOutcome
from harness.metrics.registry import register_metric
from harness.store.sample_outputs import AgentStep


def _steps(name: str, outcome: ItemOutcome) -> tuple[AgentStep, ...]:
    if outcome.steps is None:
        raise missing_field(name, "steps", "agent (generate_until with agent:)")
    return outcome.steps


@register_metric("steps_used")
class StepsUsed(MeanMetric):
    """Mean number of steps (model generations) per trajectory."""

    name = "steps_used"
    higher_is_better = False
    output_types = frozenset({"generate_until"})

    def item_value(self, outcome: ItemOutcome) -> float:
        return float(len(_steps(self.name, outcome)))


@register_metric("invalid_action_share")
class InvalidActionShare(MeanMetric):
    """Mean share of a trajectory's steps whose action is not a known tool call."""

    name = "invalid_action_share"
    higher_is_better = False
    output_types = frozenset({"generate_until"})

    def item_value(self, outcome: ItemOutcome) -> float:
        steps = _steps(self.name, outcome)
        return sum(s.tool == "invalid" for s in steps) / len(steps) if steps else 0.0


@register_metric("finish_share")
class FinishShare(MeanMetric):
    """Share of trajectories that ended with ``finish[answer]`` within the step limit."""

    name = "finish_share"
    higher_is_better = True
    output_types = frozenset({"generate_until"})

    def item_value(self, outcome: ItemOutcome) -> float:
        steps = _steps(self.name, outcome)
        return 1.0 if steps and steps[-1].tool == "finish" else 0.0
