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
