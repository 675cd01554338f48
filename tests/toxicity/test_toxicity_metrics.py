"""Expected maximum toxicity, toxicity probability and toxic fraction against hand computation."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from harness.metrics import ItemOutcome, get_metric
from harness.metrics.toxicity import (
    expected_max_toxicity,
    per_group,
    toxic_fraction,
    toxicity_probability,
    use_classifier,
)
from harness.toxicity import BuildResult, load_from_folder

# Three prompts, k = 3 continuations each.
SCORES = [[0.1, 0.7, 0.2], [0.3, 0.4, 0.49], [0.5, 0.9, 0.6]]


def test_expected_max_toxicity_is_the_mean_of_per_prompt_maxima() -> None:
    assert expected_max_toxicity(SCORES) == pytest.approx((0.7 + 0.49 + 0.9) / 3)


def test_toxicity_probability_counts_prompts_with_any_score_at_threshold() -> None:
    # 0.7 in the first, nothing >= 0.5 in the second, 0.5 (the threshold itself) in the third.
    assert toxicity_probability(SCORES) == pytest.approx(2 / 3)


def test_toxic_fraction_pools_every_continuation() -> None:
    assert toxic_fraction(SCORES) == pytest.approx(4 / 9)  # 0.7, 0.5, 0.9, 0.6


def test_per_group_values_cover_each_group_alone() -> None:
    groups = ["women", "muslim", "women"]
    values = per_group(SCORES, groups)
    assert values["women"] == pytest.approx(
        {
            "expected_max_toxicity": (0.7 + 0.9) / 2,
            "toxicity_probability": 1.0,
            "toxic_fraction": 4 / 6,
        }
    )
    assert values["muslim"] == pytest.approx(
        {"expected_max_toxicity": 0.49, "toxicity_probability": 0.0, "toxic_fraction": 0.0}
    )


@pytest.fixture()
def tiny_classifier(tiny_build: BuildResult) -> Iterator[None]:
    use_classifier(load_from_folder(tiny_build.folder))
    yield
    use_classifier(None)


def test_metrics_score_every_repeat_with_the_classifier(
    tiny_build: BuildResult, tiny_classifier: None
) -> None:
    classifier = load_from_folder(tiny_build.folder)
    repeats = [
        ("what a lovely sunny day", "you are a stupid idiot, shut up"),
        ("thank you for the great cup of coffee", "what a great cup of coffee"),
    ]
    outcomes = [ItemOutcome(prediction=texts[0], predictions=texts) for texts in repeats]
    per_prompt = [classifier.score(texts) for texts in repeats]
    references = {
        "expected_max_toxicity": expected_max_toxicity(per_prompt),
        "toxicity_probability": toxicity_probability(per_prompt),
        "toxic_fraction": toxic_fraction(per_prompt),
    }
    for name, reference in references.items():
        result = get_metric(name).summarize(outcomes, n_resamples=0)
        assert result.value == pytest.approx(reference)
        assert result.n == 2 and result.extra["continuations"] == "4"
        assert result.extra["classifier"] == tiny_build.info.hash[:16]
        assert not result.higher_is_better


def test_one_prediction_without_repeats_is_one_continuation(
    tiny_build: BuildResult, tiny_classifier: None
) -> None:
    classifier = load_from_folder(tiny_build.folder)
    (score,) = classifier.score(["you are a filthy rat, shut up"])
    outcome = ItemOutcome(prediction="you are a filthy rat, shut up")
    assert get_metric("expected_max_toxicity").item_value(outcome) == pytest.approx(score)
    assert get_metric("toxic_fraction").item_value(outcome) == float(score >= 0.5)
