"""exact_match: stripped prediction against any stripped reference."""

import pytest

from harness.errors import HarnessError
from harness.metrics import ItemOutcome, get_metric


@pytest.mark.parametrize(
    ("prediction", "references", "expected"),
    [
        (" Paris\n", ("Paris",), 1.0),
        ("Paris", ("London", " Paris "), 1.0),
        ("paris", ("Paris",), 0.0),
        ("Paris.", ("Paris",), 0.0),
    ],
)
def test_exact_match_forgives_only_surrounding_whitespace(
    prediction: str, references: tuple[str, ...], expected: float
) -> None:
    outcome = ItemOutcome(prediction=prediction, references=references)
    assert get_metric("exact_match").item_value(outcome) == expected


def test_exact_match_needs_a_prediction() -> None:
    with pytest.raises(HarnessError, match=r"'prediction'.*generate_until"):
        get_metric("exact_match").item_value(ItemOutcome(references=("x",)))


def test_exact_match_needs_at_least_one_reference() -> None:
    with pytest.raises(HarnessError, match="at least one reference"):
        get_metric("exact_match").item_value(ItemOutcome(prediction="x", references=()))
