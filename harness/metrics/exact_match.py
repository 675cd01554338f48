"""Exact match of generated text against any reference."""

from harness.metrics.base import MeanMetric
from harness.metrics.generation import prediction_and_references
from harness.metrics.outcome import ItemOutcome
from harness.metrics.registry import register_metric


@register_metric("exact_match")
class ExactMatch(MeanMetric):
    """1.0 when the stripped prediction equals any stripped reference.

    Only surrounding whitespace is forgiven: a generation's leading space or trailing
    newline is an artefact of where the stop sequence fell, not an error. Case and
    punctuation still count; tasks that want looser matching should filter first.
    """

    name = "exact_match"
    higher_is_better = True
    output_types = frozenset({"generate_until"})

    def item_value(self, outcome: ItemOutcome) -> float:
        prediction, references = prediction_and_references(self.name, outcome)
        target = prediction.strip()
        return 1.0 if any(target == ref.strip() for ref in references) else 0.0
