"""The model lifecycle in one command: variants trained by recipes, each evaluated, one table."""

from harness.lifecycle.config import LifecycleConfig, load_lifecycle_config
from harness.lifecycle.run import LifecycleResult, run_lifecycle

__all__ = ["LifecycleConfig", "LifecycleResult", "load_lifecycle_config", "run_lifecycle"]
