"""harness-lab: evaluate, train and compare language-model variants with full provenance."""

__version__ = "0.1.0"
