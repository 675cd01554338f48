"""The distill recipe: a smaller student learns from its parent (the teacher), and the
mixed loss is exactly alpha * T^2 * KL(teacher || student) + (1 - alpha) * CE."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest
import torch
from tiny_training import losses, train_tiny

from harness.errors import HarnessError
from harness.recipes.distill import distillation_loss, evenly_spaced
from harness.registry import get_variant, load_variant

# A 4-layer teacher, so a 2-layer student is a real cut.
TEACHER = "tiny-random-llama:layers=4"


def _distill(store: Path, *extra: str) -> Any:
    return train_tiny(
        "distill",
        store,
        f"parent={TEACHER}",
        "student.layers=2",
        "train.learning_rate=3e-3",
        *extra,
    )


def test_student_learns_with_fewer_layers_and_the_teacher_as_parent(lab: Path) -> None:
    variant = _distill(lab, "name=tiny-student")
    curve = losses(variant)
    assert len(curve) == 4 and curve[-1] < curve[0]
    assert variant.kind == "distilled"
    teacher = get_variant(lab, variant.parent_id)
    assert teacher.spec == TEACHER
    assert variant.details["student_layers"] == 2
    assert variant.details["teacher_layers_taken"] == [0, 3]
    assert variant.details["parameters_student"] < variant.details["parameters_teacher"]
    assert variant.total_params == variant.details["parameters_student"] < teacher.total_params
    # The soft and hard parts are logged beside the mixed loss.
    soft = variant.details["training"]["loss_soft"]
    hard = variant.details["training"]["loss_hard"]
    assert len(soft) == len(hard) == 4
    first = 0.5 * soft[0]["value"] + 0.5 * hard[0]["value"]
    assert curve[0] == pytest.approx(first, rel=1e-4)
    loaded = load_variant(lab, "tiny-student")
    assert loaded.weights_hash == variant.weights_hash
    assert loaded.model.config.num_hidden_layers == 2


def test_teacher_layers_student_starts_from_the_teachers_blocks() -> None:
    from harness.models import load_model
    from harness.recipes.distill import StudentShape, build_student

    teacher = load_model(TEACHER).model
    student, taken = build_student(teacher, StudentShape(layers=3))
    assert taken == [0, 2, 3]  # round(0), round(1.5) -> 2, round(3)
    for i, j in enumerate([0, 2, 3]):
        assert torch.equal(
            student.model.layers[i].mlp.up_proj.weight, teacher.model.layers[j].mlp.up_proj.weight
        )
    assert torch.equal(student.lm_head.weight, teacher.lm_head.weight)
    ids = torch.arange(1, 9)[None]
    assert student(ids).logits.shape == teacher(ids).logits.shape


def test_random_student_has_the_given_shape(lab: Path) -> None:
    variant = _distill(
        lab,
        "name=tiny-random-student",
        "student.init=random",
        "student.hidden=32",
        "student.intermediate=64",
        "train.max_steps=2",
    )
    assert variant.details["student_hidden"] == 32
    assert variant.details["student_intermediate"] == 64
    assert variant.details["teacher_layers_taken"] is None
    loaded = load_variant(lab, variant.name)
    assert loaded.model.config.hidden_size == 32


def test_evenly_spaced_keeps_first_and_last() -> None:
    assert evenly_spaced(10, 30) == [0, 3, 6, 10, 13, 16, 19, 23, 26, 29]
    assert evenly_spaced(2, 2) == [0, 1]
    with pytest.raises(HarnessError, match="at most 4"):
        evenly_spaced(5, 4)


def _tiny_batch() -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    generator = torch.Generator().manual_seed(0)
    student = torch.randn(2, 4, 5, generator=generator)
    teacher = torch.randn(2, 4, 5, generator=generator)
    # Unshifted labels, -100 on the prompt: 3 scored tokens (positions 2, 3 and 3).
    labels = torch.tensor([[-100, -100, 1, 4], [-100, -100, -100, 2]])
    return student, teacher, labels


def _by_hand(
    student: torch.Tensor, teacher: torch.Tensor, labels: torch.Tensor, t: float
) -> tuple[float, float]:
    """(soft, hard) with plain Python loops over the scored positions."""
    soft = hard = 0.0
    scored = 0
    for b in range(labels.shape[0]):
        for i in range(1, labels.shape[1]):
            label = int(labels[b, i])
            if label == -100:
                continue
            scored += 1
            s, q = student[b, i - 1].tolist(), teacher[b, i - 1].tolist()
            log_z = math.log(sum(math.exp(x) for x in s))
            hard += -(s[label] - log_z)
            log_zs = math.log(sum(math.exp(x / t) for x in s))
            log_zt = math.log(sum(math.exp(x / t) for x in q))
            soft += sum(
                math.exp(y / t - log_zt) * ((y / t - log_zt) - (x / t - log_zs))
                for x, y in zip(s, q, strict=True)
            )
    return t * t * soft / scored, hard / scored


@pytest.mark.parametrize("alpha", [0.0, 0.3, 1.0])
def test_mixed_loss_matches_a_hand_computation(alpha: float) -> None:
    student, teacher, labels = _tiny_batch()
    soft, hard = _by_hand(student, teacher, labels, t=2.0)
    mixed, got_soft, got_hard = distillation_loss(
        student, teacher, labels, temperature=2.0, alpha=alpha
    )
    assert float(got_soft) == pytest.approx(soft, rel=1e-5)
    assert float(got_hard) == pytest.approx(hard, rel=1e-5)
    assert float(mixed) == pytest.approx(alpha * soft + (1 - alpha) * hard, rel=1e-5)


def test_alpha_zero_is_the_models_own_cross_entropy_and_alpha_one_pure_kd() -> None:
    from harness.models import load_model

    model = load_model("tiny-random-llama").model
    teacher = load_model("tiny-random-llama:seed=1").model
    ids = torch.arange(1, 13)[None]
    labels = ids.clone()
    labels[0, :5] = -100
    with torch.no_grad():
        out = model(ids, labels=labels)
        teacher_logits = teacher(ids).logits
    ce, _, _ = distillation_loss(out.logits, teacher_logits, labels, temperature=3.0, alpha=0.0)
    assert float(ce) == pytest.approx(float(out.loss), rel=1e-5)
    kd, soft, _ = distillation_loss(out.logits, teacher_logits, labels, temperature=3.0, alpha=1.0)
    assert float(kd) == float(soft) > 0
    # A student equal to its teacher has nothing left to learn from it.
    same, _, _ = distillation_loss(teacher_logits, teacher_logits, labels, temperature=3.0, alpha=1)
    assert float(same) == pytest.approx(0.0, abs=1e-6)


def test_trainer_loss_is_the_mixed_loss_of_its_batch(lab: Path) -> None:
    """The trainer's compute_loss feeds the collated SFT batch (completion-only labels) to
    distillation_loss with a frozen teacher."""
    from harness.models import load_model
    from harness.recipes.distill import distillation_trainer
    from harness.training.examples import Example
    from harness.training.run_dir import RunDir
    from harness.training.sections import TrainSettings
    from harness.training.trainer import argument_values

    teacher = load_model(TEACHER)
    student = load_model("tiny-random-llama").model
    examples = [Example(prompt="Say hi.\n", completion=" hi there", source="test")] * 2
    run = RunDir(lab.parent / "run")
    args = argument_values(TrainSettings(device="cpu"), run, seed=0)
    trainer = distillation_trainer(
        teacher.model,
        student,
        teacher.tokenizer,
        examples,
        args=args,
        max_length=64,
        temperature=2.0,
        alpha=0.25,
    )
    batch = next(iter(trainer.get_train_dataloader()))
    assert (batch["labels"] != -100).sum() < batch["attention_mask"].sum()  # prompt masked
    loss = trainer.compute_loss(student, dict(batch)).detach()
    with torch.no_grad():
        expected, _, _ = distillation_loss(
            student(batch["input_ids"]).logits,
            teacher.model(batch["input_ids"]).logits,
            batch["labels"],
            temperature=2.0,
            alpha=0.25,
        )
    assert float(loss) == pytest.approx(float(expected), rel=1e-5)
    assert not any(p.requires_grad for p in teacher.model.parameters())


def test_teacher_layers_refuses_a_new_width(lab: Path) -> None:
    with pytest.raises(HarnessError, match="init=random"):
        _distill(lab, "name=tiny-wide", "student.hidden=32")
