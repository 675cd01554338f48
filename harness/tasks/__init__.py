"""Tasks and suites: YAML definitions turned into prompts, requests and outcomes."""

from harness.tasks.config import FewshotConfig, TaskConfig, expand_task_file
from harness.tasks.suite import AggregateSpec, Suite, available_suites, load_suite
from harness.tasks.task import Task, TaskItem

__all__ = [
    "AggregateSpec",
    "FewshotConfig",
    "Suite",
    "Task",
    "TaskConfig",
    "TaskItem",
    "available_suites",
    "expand_task_file",
    "load_suite",
]
