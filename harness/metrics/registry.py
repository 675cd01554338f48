"""Metric names to metric factories, so task configs can name metrics as strings."""

from collections.abc import Callable

from harness.errors import HarnessError, did_you_mean
from harness.metrics.base import OUTPUT_TYPES, Metric

MetricFactory = Callable[[], Metric]

_REGISTRY: dict[str, MetricFactory] = {}


def register_metric(name: str) -> Callable[[MetricFactory], MetricFactory]:
    """Decorator: register a metric class or zero-argument factory under ``name``.

    Used as ``@register_metric("acc")`` on a class, or called directly,
    ``register_metric("rouge1")(partial(Rouge, "rouge1"))``, when one class serves several
    names. Returns the factory unchanged.
    """

    def decorate(factory: MetricFactory) -> MetricFactory:
        if name in _REGISTRY:
            raise HarnessError(
                f"metric '{name}' is already registered; register the new metric under another name"
            )
        _REGISTRY[name] = factory
        return factory

    return decorate


def _discover() -> None:
    """Import every module of ``harness.metrics`` not imported yet, so each registers its metrics.

    Listing the package folder costs well under a millisecond, and a module already imported
    is skipped, so this runs on every lookup: a module added to the package's path later
    (a plug-in folder, a test) is found too.
    """
    import importlib
    import pkgutil
    import sys

    import harness.metrics as package

    for module in pkgutil.iter_modules(package.__path__):
        name = f"{package.__name__}.{module.name}"
        if name not in sys.modules:
            importlib.import_module(name)


def get_metric(name: str) -> Metric:
    """A fresh instance of the metric registered as ``name``."""
    _discover()
    factory = _REGISTRY.get(name)
    if factory is None:
        raise HarnessError(
            f"unknown metric '{name}'{did_you_mean(name, known_metrics())}; "
            f"known: {', '.join(known_metrics())}"
        )
    return factory()


def known_metrics(output_type: str | None = None) -> list[str]:
    """Sorted names of registered metrics, optionally only those for ``output_type``."""
    _discover()
    if output_type is None:
        return sorted(_REGISTRY)
    if output_type not in OUTPUT_TYPES:
        raise HarnessError(
            f"unknown output type '{output_type}'; known: {', '.join(sorted(OUTPUT_TYPES))}"
        )
    return sorted(name for name, make in _REGISTRY.items() if output_type in make().output_types)
