"""``harness train RECIPE --processes N``: the same command, run under ``accelerate launch``.

We write no launcher of our own: accelerate starts N copies of ``harness train RECIPE ...``
through torchrun, and the recipe's Trainer does the data-parallel (or sharded) training.
The accelerate configs are trl's own (DDP, FSDP, DeepSpeed ZeRO), picked by a short name,
or any config file a user wrote with ``accelerate config``. Without GPUs (or with ``--cpu``)
the processes train on the CPU and talk over gloo.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from harness.errors import HarnessError
from harness.training.distributed import launched

# Short name -> trl's accelerate config (trl/accelerate_configs/); anything else is a file.
ACCELERATE_CONFIGS = {
    "multi-gpu": "multi_gpu.yaml",
    "fsdp": "fsdp2.yaml",
    "zero1": "zero1.yaml",
    "zero2": "zero2.yaml",
    "zero3": "zero3.yaml",
}
NEEDS_GPU = ("fsdp", "zero1", "zero2", "zero3")
# The launched processes read the store from here, not from their command line: a
# PostgreSQL URL may hold a password, and a command line is visible to every user (ps).
STORE_ENV = "HARNESS_LAUNCH_STORE"


def launched_store(given: str) -> str:
    """The store of a launched ``harness train`` process: the launcher's, else ``given``."""
    return os.environ.get(STORE_ENV, given) if launched() else given


def accelerate_config_file(choice: str) -> Path:
    """The config file ``--accelerate-config`` names: one of trl's by short name, or a file."""
    if choice in ACCELERATE_CONFIGS:
        import trl

        path = Path(trl.__file__).parent / "accelerate_configs" / ACCELERATE_CONFIGS[choice]
        if not path.is_file():
            raise HarnessError(f"trl has no {path.name} here ({path}); upgrade trl or pass a file")
        return path
    path = Path(choice).expanduser()
    if not path.is_file():
        raise HarnessError(
            f"--accelerate-config '{choice}' is neither a file nor one of "
            f"{', '.join(ACCELERATE_CONFIGS)}; pass one of those or an `accelerate config` file"
        )
    return path


def launch_command(
    train_args: Sequence[str],
    *,
    processes: int,
    config_file: Path | None,
    cpu: bool,
    port: int,
) -> list[str]:
    """The ``accelerate launch`` command line that runs ``harness train <train_args>``."""
    command = [
        sys.executable,
        "-m",
        "accelerate.commands.launch",
        "--quiet",  # a failing process's own error line, not torchrun's stack of wrappers
        "--num_processes",
        str(processes),
        "--num_machines",
        "1",
        "--main_process_port",
        str(port),
        "--dynamo_backend",
        "no",
    ]
    if config_file is not None:
        command += ["--config_file", str(config_file)]
    elif processes > 1:
        command.append("--multi_gpu")  # torchrun; with no GPU visible the processes use gloo
    if cpu:
        command += ["--mixed_precision", "no"]  # CPU training stays in float32
    return [*command, "-m", "harness.cli.main", "train", *train_args]


def launch_training(
    train_args: Sequence[str],
    *,
    store: str,
    processes: int,
    accelerate_config: str | None = None,
    cpu: bool = False,
) -> int:
    """Run ``harness train <train_args>`` on ``store`` as ``processes`` processes; their
    exit status.

    Checked before anything starts: not already inside a launch, the config exists, the
    GPUs it asks for are there, DeepSpeed is installed for a ZeRO config.
    """
    import torch

    if launched():
        raise HarnessError(
            "--processes and --accelerate-config start `accelerate launch` themselves; "
            "drop them when running under accelerate launch or torchrun"
        )
    if processes < 1:
        raise HarnessError("--processes must be at least 1")
    config_file = accelerate_config_file(accelerate_config) if accelerate_config else None
    cpu = cpu or not torch.cuda.is_available()
    if cpu and accelerate_config in NEEDS_GPU:
        raise HarnessError(
            f"--accelerate-config {accelerate_config} needs GPUs; on CPUs use --processes N "
            "alone (data parallel over gloo)"
        )
    if not cpu and torch.cuda.device_count() < processes:
        raise HarnessError(
            f"--processes {processes} but {torch.cuda.device_count()} GPU(s) are visible; "
            "ask for at most that many, or pass --cpu"
        )
    if accelerate_config in ("zero1", "zero2", "zero3"):
        import importlib.util

        if importlib.util.find_spec("deepspeed") is None:
            raise HarnessError(
                f"--accelerate-config {accelerate_config} needs DeepSpeed; pip install deepspeed"
            )
    env = {**os.environ, STORE_ENV: store}
    if cpu:
        env["CUDA_VISIBLE_DEVICES"] = ""  # every process then trains on the CPU
        env["ACCELERATE_USE_CPU"] = "true"
    command = launch_command(
        train_args, processes=processes, config_file=config_file, cpu=cpu, port=free_port()
    )
    return subprocess.call(command, env=env)


def free_port() -> int:
    """A TCP port nobody listens on now, for the processes' rendezvous."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
