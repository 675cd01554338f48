"""A variant's working folder: ``harness_home()/variants/<name>/`` with its checkpoints.

Re-running the same command resumes from the last checkpoint there; a different config
under the same name is refused rather than resumed, since mixing the two would produce
weights that neither config describes.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harness.errors import HarnessError


@dataclass(frozen=True)
class RunDir:
    root: Path

    @property
    def checkpoints(self) -> Path:
        return self.root / "checkpoints"

    @property
    def wall_clock(self) -> Path:
        return self.root / "training_seconds.json"

    @property
    def recipe_file(self) -> Path:
        return self.root / "recipe.json"

    def last_checkpoint(self) -> str | None:
        """The newest ``checkpoint-N`` folder that finished writing, or None."""
        if not self.checkpoints.is_dir():
            return None
        done = [
            p
            for p in self.checkpoints.glob("checkpoint-*")
            if p.name.split("-")[-1].isdigit() and (p / "trainer_state.json").is_file()
        ]
        if not done:
            return None
        return str(max(done, key=lambda p: int(p.name.split("-")[-1])))

    def discard_checkpoints(self) -> None:
        """Free the disk once the final weights are saved (optimiser states are large)."""
        shutil.rmtree(self.checkpoints, ignore_errors=True)
        self.wall_clock.unlink(missing_ok=True)


def prepare_run_dir(
    name: str, recipe: str, config: dict[str, Any], config_hash: str, *, restart: bool
) -> RunDir:
    """Create (or reopen, for a resume) the folder of variant ``name`` trained with ``config``."""
    from harness.registry import variant_dir

    run = RunDir(variant_dir(name))
    if restart and run.root.exists():
        shutil.rmtree(run.root)
    if run.recipe_file.is_file():
        previous = json.loads(run.recipe_file.read_text())
        if previous.get("config_hash") != config_hash:
            raise HarnessError(
                f"{run.root} holds a {previous.get('recipe')} run with a different config; "
                "pick another name (--set name=NEW) or pass --restart to discard it"
            )
    run.root.mkdir(parents=True, exist_ok=True)
    payload = {"recipe": recipe, "config_hash": config_hash, "config": config}
    run.recipe_file.write_text(json.dumps(payload, indent=2, sort_keys=True))
    return run
