"""Adding a metric is adding one file: no list to extend, no import to add anywhere.

The new module is written into a temporary folder that joins ``harness.metrics``'s package
path at run time (as a file dropped into ``harness/metrics/`` would), then a task names the
metric and a real evaluation on the tiny model scores with it.
"""

from __future__ import annotations

import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
from toy_suite import write_toy_suite

import harness.metrics
from harness.errors import HarnessError
from harness.metrics import get_metric, known_metrics
from harness.metrics.registry import _REGISTRY
from harness.runner import EvalOptions, run_eval
from harness.store import open_store

PLUGIN = textwrap.dedent('''\
    """Characters in the prediction: a throw-away metric for the extension test."""

    from harness.metrics.base import MeanMetric
    from harness.metrics.outcome import ItemOutcome
    from harness.metrics.registry import register_metric


    @register_metric("toy_prediction_chars")
    class PredictionChars(MeanMetric):
        name = "toy_prediction_chars"
        higher_is_better = False
        output_types = frozenset({"generate_until"})

        def item_value(self, outcome: ItemOutcome) -> float:
            return float(len(outcome.prediction or ""))
    ''')


@pytest.fixture()
def plugin_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    folder = tmp_path / "more_metrics"
    folder.mkdir()
    (folder / "toy_prediction_chars.py").write_text(PLUGIN)
    monkeypatch.setattr(harness.metrics, "__path__", [*harness.metrics.__path__, str(folder)])
    yield folder
    # Forget it again, so the next test (and every other test) sees the shipped metrics only.
    _REGISTRY.pop("toy_prediction_chars", None)
    sys.modules.pop("harness.metrics.toy_prediction_chars", None)


def test_a_metric_file_is_found_without_being_listed(plugin_folder: Path) -> None:
    with pytest.raises(HarnessError, match="unknown metric 'toy_prediction_charz'"):
        get_metric("toy_prediction_charz")
    assert "toy_prediction_chars" in known_metrics("generate_until")
    assert get_metric("toy_prediction_chars").higher_is_better is False


def test_a_task_scores_with_the_new_metric_end_to_end(
    plugin_folder: Path, tmp_path: Path, tiny_model
) -> None:  # type: ignore[no-untyped-def]
    suite = write_toy_suite(tmp_path, gen_metrics=("exact_match", "toy_prediction_chars"))
    report = run_eval(
        EvalOptions(
            model="tiny-random-llama",
            suite=str(suite),
            tasks=["toy_gen"],
            data_dir=str(tmp_path / "data"),
            store=tmp_path / "s.db",
            progress=False,
        ),
        model=tiny_model,
    )
    with open_store(tmp_path / "s.db") as store:
        samples = store.get_samples(report.run_id, "toy_gen")
        (score,) = [
            s
            for s in store.get_scores(report.run_id, scope="task")
            if s.metric == "toy_prediction_chars"
        ]
    lengths = [float(len(s.prediction)) for s in samples]
    assert [s.metrics["toy_prediction_chars"] for s in samples] == lengths
    assert score.value == pytest.approx(sum(lengths) / len(lengths))
    assert score.n == 2
