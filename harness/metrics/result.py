"""The summary a metric gives for one task (or an average of tasks)."""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class MetricResult:
    """A point value with its uncertainty, so reports never show a number without one.

    ``stderr`` is None where it is not defined (fewer than two items, or a corpus-level
    metric, whose items are not independent draws of the score). ``ci_low``/``ci_high`` are a
    95% seeded percentile bootstrap, None where no bootstrap was run. ``extra`` carries
    provenance as strings (e.g. the sacrebleu signature, how the CI was made).
    """

    name: str
    value: float
    stderr: float | None
    ci_low: float | None
    ci_high: float | None
    n: int
    higher_is_better: bool
    extra: dict[str, str] = field(default_factory=dict)
