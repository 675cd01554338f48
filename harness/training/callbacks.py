"""Trainer callbacks: a progress bar that shows the loss, a wall-clock keeper, planned stops."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from transformers import TrainerCallback

# Logged values shown beside the loss when a trainer logs them (RL and preference runs).
SHOWN = {"reward": "reward", "kl": "kl", "rewards/margins": "margin", "loss_soft": "soft"}


class LossProgressBar(TrainerCallback):
    """A tqdm bar over optimiser steps whose postfix is the latest logged loss (and reward,
    KL or margin where the trainer logs them)."""

    def __init__(self, description: str) -> None:
        self.description = description
        self.bar: Any = None

    def on_train_begin(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        from tqdm.auto import tqdm

        if not state.is_world_process_zero:
            return  # one bar per launch, not one per process
        self.bar = tqdm(
            total=state.max_steps, initial=state.global_step, desc=self.description, unit="step"
        )

    def on_step_end(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        if self.bar is not None:
            self.bar.update(state.global_step - self.bar.n)

    def on_log(
        self, args: Any, state: Any, control: Any, logs: dict[str, float] | None = None, **kw: Any
    ) -> None:
        if self.bar is not None and logs and "loss" in logs:
            shown = {"loss": f"{logs['loss']:.4f}"}
            for key, label in SHOWN.items():
                value = logs.get(key)
                if isinstance(value, int | float):
                    shown[label] = f"{value:.4f}"
            self.bar.set_postfix(shown)

    def on_train_end(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


class WallClock(TrainerCallback):
    """Training seconds summed over every session of a resumed run, saved with each checkpoint."""

    def __init__(self, record: Path) -> None:
        self.record = record
        self.before = float(json.loads(record.read_text())["seconds"]) if record.is_file() else 0.0
        self.started = time.perf_counter()

    @property
    def seconds(self) -> float:
        return self.before + time.perf_counter() - self.started

    def on_save(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        if state.is_world_process_zero:  # the main process writes the run folder
            self.record.write_text(json.dumps({"seconds": self.seconds, "step": state.global_step}))


class StopAfterSave(TrainerCallback):
    """Raise right after the checkpoint at ``step`` is written: a kill at a known point, for tests."""

    def __init__(self, step: int) -> None:
        self.step = step

    def on_save(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        if state.global_step >= self.step:
            raise KeyboardInterrupt(f"stopped after the checkpoint at step {state.global_step}")


class PauseAtStep(TrainerCallback):
    """Test-only: honour ``HARNESS_TEST_PAUSE_AT=train-step:N`` (see :mod:`harness.store.pause`)
    so a kill-and-resume test can SIGKILL training right after optimiser step N."""

    def on_step_end(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        from harness.store.pause import pause_at

        pause_at(f"train-step:{state.global_step}")
