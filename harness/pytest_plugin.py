"""Benchmarks as pytest tests: evaluate a suite in a fixture, assert it did not regress.

Registered through the ``pytest11`` entry point as ``harness`` (``pytest -p harness``)::

    def test_mmlu(harness_eval, assert_no_regression):
        run = harness_eval("mmlu", shots=0)
        assert_no_regression(run, margins={"mmlu.acc": 0.02})

``harness_eval`` runs ``--harness-model`` on a suite into ``--harness-store`` like
``harness eval`` does; ``assert_no_regression`` compares the run with ``--harness-baseline``
(a run id, or a model spec: its latest run with the same items, evaluated now if there is
none) and fails with the comparison table on a regression, or on an inconclusive result
under the default policy. There is no default baseline: comparing a model with itself is a
gate that cannot fail, so a test without one fails and says how to name one. Nothing heavy is imported until a
fixture is used, so the plugin costs nothing in test sessions that do not use it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pytest

from harness.paths import DEFAULT_MODEL, default_store

if TYPE_CHECKING:
    from harness.compare import Comparison
    from harness.models import LoadedModel
    from harness.store import RunRecord, SampleRecord, ScoreRecord, StoreLocation


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("harness", "harness-lab benchmarks")
    group.addoption("--harness-model", default=DEFAULT_MODEL, help="model spec to evaluate")
    group.addoption(
        "--harness-baseline",
        default=None,
        help="baseline run id (or prefix) or model spec; required by assert_no_regression",
    )
    group.addoption(
        "--harness-store", default=default_store(), help="results store (default $HARNESS_STORE)"
    )
    group.addoption(
        "--harness-limit", type=int, default=None, help="first N documents of each task"
    )
    group.addoption(
        "--harness-margin",
        action="append",
        default=[],
        metavar="METRIC=VALUE",
        help="margin overriding the test's own, e.g. mmlu.acc=0.02 (repeatable)",
    )
    group.addoption(
        "--harness-policy",
        default="fail-on-inconclusive",
        choices=["fail-on-inconclusive", "warn"],
        help="whether an inconclusive comparison fails the test",
    )
    group.addoption("--harness-data-dir", default=None, help="data root")


@dataclass(frozen=True)
class HarnessRun:
    """A finished, stored run with its scores and samples, as a benchmark test sees it."""

    run: RunRecord
    store_location: StoreLocation
    scores: list[ScoreRecord] = field(repr=False)
    samples: list[SampleRecord] = field(repr=False)
    options: dict[str, Any] = field(default_factory=dict)  # what harness_eval was given

    @property
    def run_id(self) -> str:
        return self.run.run_id

    @property
    def suite(self) -> str:
        return self.run.suite

    def score(self, name: str, metric: str) -> float:
        """The stored value of ``metric`` on a task or aggregate ``name``."""
        for score in self.scores:
            if score.name == name and score.metric == metric:
                return score.value
        raise KeyError(f"run {self.run_id} has no score {metric} on {name}")


@dataclass
class _Session:
    """Loaded models and finished runs, shared by every test of the session."""

    config: pytest.Config = field(repr=False)
    models: dict[str, LoadedModel] = field(default_factory=dict, repr=False)

    def option(self, name: str) -> Any:
        return self.config.getoption(name)

    def model(self, spec: str) -> LoadedModel:
        """``spec`` loaded once per session: a variant of ``--harness-store``, else a source."""
        if spec not in self.models:
            from harness.registry import load_model_or_variant

            self.models[spec] = load_model_or_variant(self.option("harness_store"), spec)
        return self.models[spec]

    def evaluate(self, suite: str, model: str | None = None, **opts: Any) -> HarnessRun:
        from harness.runner import EvalOptions, run_eval
        from harness.store import open_store

        spec = model or self.option("harness_model")
        opts.setdefault("limit", self.option("harness_limit"))
        opts.setdefault("data_dir", self.option("harness_data_dir"))
        options = EvalOptions(
            model=spec, suite=suite, store=self.option("harness_store"), progress=False, **opts
        )
        report = run_eval(options, model=self.model(spec), log=lambda _line: None)
        with open_store(report.store_location) as store:
            return _stored(store, report.run_id, {"suite": suite, **opts})


def _stored(store: Any, run_id: str, options: Mapping[str, Any]) -> HarnessRun:
    return HarnessRun(
        run=store.get_run(run_id),
        store_location=store.location,
        scores=store.get_scores(run_id),
        samples=store.get_samples(run_id),
        options=dict(options),
    )


@pytest.fixture(scope="session")
def _harness_session(pytestconfig: pytest.Config) -> _Session:
    return _Session(pytestconfig)


@pytest.fixture(scope="session")
def harness_eval(_harness_session: _Session) -> Callable[..., HarnessRun]:
    """``harness_eval(suite, **opts)``: evaluate ``--harness-model`` and return the stored run.

    ``opts`` are :class:`harness.runner.EvalOptions` fields (``tasks``, ``shots``,
    ``limit``, ``gen``, ``chat``, ...) plus ``model`` to evaluate another model spec.
    """
    return _harness_session.evaluate


@pytest.fixture()
def assert_no_regression(_harness_session: _Session) -> Callable[..., Comparison]:
    """``assert_no_regression(run, baseline=None, margins=None)``: fail on a regression.

    ``baseline`` is a :class:`HarnessRun`, a run id or a model spec (default
    ``--harness-baseline``; without either the test fails and says how to name one);
    ``--harness-margin`` entries override ``margins``. Returns the comparison when the
    gate passes (or only warns).
    """
    session = _harness_session

    def check(
        run: HarnessRun,
        baseline: HarnessRun | str | None = None,
        margins: Mapping[str, float] | None = None,
    ) -> Comparison:
        __tracebackhide__ = True  # the table is the message; the plugin's frames are noise
        from harness.compare import compare_runs, exit_code, parse_margins, record_decision
        from harness.report.comparison_table import format_comparison
        from harness.store import open_store

        policy = session.option("harness_policy")
        merged = _merge_margins(
            margins or {},
            parse_margins(session.option("harness_margin")),
            {s.metric for s in run.scores},
        )
        wanted = baseline or session.option("harness_baseline")
        if not wanted:
            raise AssertionError(
                "no baseline to compare with: pass --harness-baseline RUN_OR_MODEL (a run id "
                "from `harness runs`, or a model spec whose run on the same items is the "
                "baseline), or call assert_no_regression(run, baseline=...)"
            )
        base_run = _baseline_run(session, run, wanted)
        with open_store(run.store_location) as store:
            comparison = compare_runs(store, base_run.run, run.run, margins=merged)
            record_decision(store, comparison, policy)
        if exit_code(comparison.verdict, policy) != 0:
            raise AssertionError(
                f"{comparison.verdict} against baseline run {base_run.run_id} "
                f"(policy {policy}):\n{format_comparison(comparison)}"
            )
        return comparison

    return check


def _merge_margins(
    own: Mapping[str, float], command_line: Mapping[str, float], metrics: set[str]
) -> dict[str, float]:
    """The test's margins overridden by the command line's.

    A command-line margin replaces every margin the test set for the same metric (``acc``
    replaces ``mmlu.acc``), and applies only to runs that have that metric, so one
    ``--harness-margin`` can serve a session of different suites.
    """

    def metric_of(key: str) -> str:
        return key.rsplit(".", 1)[-1]

    overridden = {metric_of(key) for key in command_line}
    merged = {k: v for k, v in own.items() if metric_of(k) not in overridden}
    merged.update({k: v for k, v in command_line.items() if metric_of(k) in metrics})
    return merged


def _baseline_run(session: _Session, run: HarnessRun, wanted: HarnessRun | str) -> HarnessRun:
    """The baseline as a stored run; a model spec with no run on the same items is evaluated."""
    if isinstance(wanted, HarnessRun):
        return wanted
    from harness.compare.resolve import latest_matching_run
    from harness.errors import HarnessError
    from harness.store import open_store

    with open_store(run.store_location) as store:
        if not any(r.model_spec == wanted for r in store.list_runs()):
            try:
                return _stored(store, store.get_run(wanted).run_id, {})
            except HarnessError as not_a_run:
                run_problem = str(not_a_run)  # maybe a model never evaluated here: see below
        else:
            run_problem = ""
        found = latest_matching_run(
            store, wanted, run.suite, run.run.config, exclude=run.run_id, dtype=run.run.dtype
        )
        if found is not None:
            return _stored(store, found.run_id, {})
    try:
        session.model(wanted)  # a typo must not pass as a model name: it has to load
    except HarnessError as not_a_model:
        raise HarnessError(
            f"baseline '{wanted}' is neither a run in {run.store_location} ({run_problem or 'no match'}) "
            f"nor a model ({not_a_model}); pass a run id from `harness runs --store "
            f"{run.store_location}` or a loadable model spec"
        ) from None
    options = dict(run.options)
    return session.evaluate(options.pop("suite", run.suite), model=wanted, **options)
