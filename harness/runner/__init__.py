"""Running evaluations: suite + model -> backend requests -> scores -> store."""

from harness.runner.evaluate import EvalOptions, EvalReport, run_eval

__all__ = ["EvalOptions", "EvalReport", "run_eval"]
