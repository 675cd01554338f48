"""Field access shared by the metrics that score generated text."""

from harness.errors import HarnessError
from harness.metrics.base import missing_field
from harness.metrics.outcome import ItemOutcome


def prediction_and_references(metric: str, outcome: ItemOutcome) -> tuple[str, tuple[str, ...]]:
    """The generated text and its references (at least one), or a HarnessError saying why not."""
    if outcome.prediction is None:
        raise missing_field(metric, "prediction", "generate_until")
    if outcome.references is None:
        raise missing_field(metric, "references", "generate_until")
    if len(outcome.references) == 0:
        raise HarnessError(
            f"metric '{metric}' needs at least one reference per item, got none; "
            "fix the task's doc_to_target"
        )
    return outcome.prediction, outcome.references
