"""``harness train`` refuses bad input with one line and exit code 2, before any training."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.cli.main import main


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["lora", "--set", "lora.rnak=2"], "unknown key 'lora.rnak'; known keys here: rank"),
        (["lora", "--set", "train.learning_rate=fast"], "bad value for 'train.learning_rate'"),
        (["lora", "--profile", "huge"], "no profile 'huge'"),
        (["lora", "--eval", "dialogsun"], "unknown suite 'dialogsun'"),
        (["lora", "--sweep"], "--sweep applies to the pretrain recipe"),
        (["lora", "--config", "nowhere.yaml"], "recipe config nowhere.yaml not found"),
        (["reward-model", "--eval", "mmlu"], "a reward model scores responses"),
        (["rl-detox", "--set", "rl.algorithm=ppo"], "bad value for 'rl.algorithm'"),
        (["quantize", "--set", "quantize.bits=4"], "unknown key 'quantize.bits'"),
        (["lora", "--cpu"], "--cpu applies to --processes N"),
        (["lora", "--processes", "0"], "argument --processes: 0 is out of range"),
        (["quantize", "--processes", "2"], "'quantize' trains nothing, so it runs as one process"),
        (["lora", "--processes", "2", "--set", "lora.rnak=2"], "unknown key 'lora.rnak'"),
        (
            ["lora", "--processes", "2", "--accelerate-config", "zero9"],
            "--accelerate-config 'zero9' is neither a file nor one of multi-gpu, fsdp",
        ),
        (
            ["sft-full", "--processes", "2", "--accelerate-config", "zero2", "--cpu"],
            "--accelerate-config zero2 needs GPUs; on CPUs use --processes N alone",
        ),
    ],
)
def test_bad_input_is_one_line_and_exit_code_2(
    argv: list[str], message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = tmp_path / "store.db"
    assert main(["train", *argv, "--store", str(store)]) == 2
    err = capsys.readouterr().err
    assert message in err
    assert err.count("\n") == 1
    assert not store.exists()  # nothing written


def test_processes_are_refused_inside_a_launch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("WORLD_SIZE", "2")
    monkeypatch.setenv("LOCAL_RANK", "0")
    monkeypatch.setenv("RANK", "0")
    assert main(["train", "lora", "--processes", "2", "--store", str(tmp_path / "s.db")]) == 2
    assert "drop them when running under accelerate launch" in capsys.readouterr().err


def test_the_launch_command_is_accelerate_launch_of_the_same_train_command() -> None:
    from harness.training.launch import accelerate_config_file, launch_command

    head = ["-m", "accelerate.commands.launch", "--quiet", "--num_processes", "2"]
    cpu = launch_command(
        ["lora", "--store", "s.db"], processes=2, config_file=None, cpu=True, port=29500
    )
    assert cpu[1:6] == head
    assert "--multi_gpu" in cpu and cpu[cpu.index("--mixed_precision") + 1] == "no"
    assert cpu[-6:] == ["-m", "harness.cli.main", "train", "lora", "--store", "s.db"]
    assert cpu[cpu.index("--main_process_port") + 1] == "29500"
    zero3 = accelerate_config_file("zero3")
    assert zero3.name == "zero3.yaml" and zero3.is_file()  # trl's own
    gpu = launch_command(["sft-full"], processes=8, config_file=zero3, cpu=False, port=1)
    assert gpu[gpu.index("--config_file") + 1] == str(zero3)
    assert "--multi_gpu" not in gpu and "--mixed_precision" not in gpu
