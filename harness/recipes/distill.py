"""Knowledge distillation on DialogSum: a smaller student learns the teacher's (the parent's)
next-token distributions as well as the reference summaries.

The student keeps the teacher's tokenizer. With ``student.init: teacher-layers`` it is the
teacher with ``student.layers`` of its blocks, taken evenly from first to last, so it
starts from weights that already read the teacher's hidden states; with ``init: random``
it is a fresh Llama of the given shape. The loss on the completion tokens is

    alpha * T^2 * KL(softmax(teacher / T) || softmax(student / T)) + (1 - alpha) * CE(labels)

(Hinton et al.: the T^2 keeps the soft gradients' scale independent of T). trl's own
``DistillationTrainer`` has no hard-label term, so this subclasses the ``SFTTrainer`` the
other supervised recipes use and replaces only its ``compute_loss``.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import TYPE_CHECKING, Annotated, Any, Literal

import torch
from pydantic import Field
from trl import SFTTrainer

from harness.errors import HarnessError
from harness.training.examples import Example, examples_hash, sft_examples
from harness.training.sections import RecipeConfig, Section, SFTData
from harness.training.session import RecipeSession
from harness.training.trainer import TrainingOutcome, argument_values, run_trainer
from harness.training.weights import full_model

if TYPE_CHECKING:
    from harness.registry import Variant

CURVE_KEYS = ("loss_soft", "loss_hard")  # logged beside the mixed loss


class StudentShape(Section):
    """The student keeps the teacher's tokenizer; ``layers`` taken evenly from the teacher
    when ``init`` is ``teacher-layers`` (hidden size unchanged), else a fresh random model."""

    layers: Annotated[int, Field(ge=1)] = 8
    hidden: Annotated[int | None, Field(ge=8)] = None  # None: the teacher's
    intermediate: Annotated[int | None, Field(ge=8)] = None
    init: Literal["teacher-layers", "random"] = "teacher-layers"


class DistillSettings(Section):
    temperature: Annotated[float, Field(gt=0)] = 2.0
    alpha: Annotated[float, Field(ge=0, le=1)] = 0.5  # weight of the soft (teacher) loss


class Config(RecipeConfig):
    data: SFTData = Field(default_factory=SFTData)
    student: StudentShape = Field(default_factory=StudentShape)
    distill: DistillSettings = Field(default_factory=DistillSettings)


def train(session: RecipeSession[Config]) -> Variant:
    """Train a smaller student (teacher layers or a fresh Llama) on DialogSum against the
    parent's next-token distributions and the reference summaries; registers a ``distilled``
    variant (the full student) with both models' shapes and parameter counts."""
    config = session.config
    run = session.run_dir()
    parent, loaded = session.load_parent()
    teacher = full_model(loaded.model, parent.name)
    examples = sft_examples(config.data, loaded.tokenizer)
    session.seed_everything()  # a random student's initial weights
    student, taken = build_student(teacher, config.student)
    teacher_params = sum(p.numel() for p in teacher.parameters())
    student_params = sum(p.numel() for p in student.parameters())
    print(
        f"{len(examples)} DialogSum training examples; student "
        f"{student.config.num_hidden_layers} layers x {student.config.hidden_size} "
        f"({student_params:,} parameters) from teacher "
        f"{teacher.config.num_hidden_layers} x {teacher.config.hidden_size} ({teacher_params:,})"
    )
    outcome = distill(session, teacher, student, loaded.tokenizer, examples, run)
    return session.register(
        kind="distilled",
        parent=parent,
        model=outcome.model,
        tokenizer=loaded.tokenizer,
        run=run,
        data_hash=examples_hash(examples),
        outcome=outcome,
        details={
            "examples": len(examples),
            "init": config.student.init,
            "student_layers": student.config.num_hidden_layers,
            "student_hidden": student.config.hidden_size,
            "student_intermediate": student.config.intermediate_size,
            "teacher_layers_taken": taken,
            "parameters_teacher": teacher_params,
            "parameters_student": student_params,
            "temperature": config.distill.temperature,
            "alpha": config.distill.alpha,
        },
    )


def evenly_spaced(count: int, total: int) -> list[int]:
    """``count`` layer indices out of ``total``, spread evenly with the first and last kept."""
    if count > total:
        raise HarnessError(
            f"student.layers={count} but the teacher has only {total} layers; use at most {total}"
        )
    if count == 1:
        return [0]
    return [round(i * (total - 1) / (count - 1)) for i in range(count)]


def build_student(teacher: Any, shape: StudentShape) -> tuple[Any, list[int] | None]:
    """The student model and, for ``teacher-layers``, the teacher layers it was built from."""
    if shape.init == "random":
        return random_student(teacher.config, shape), None
    return layers_student(teacher, shape)


def layers_student(teacher: Any, shape: StudentShape) -> tuple[Any, list[int]]:
    """The teacher cut down to ``shape.layers`` evenly spaced blocks (embeddings, final norm
    and LM head kept), every tensor copied from the teacher."""
    from transformers import AutoModelForCausalLM

    source = teacher.config
    if shape.hidden not in (None, source.hidden_size) or shape.intermediate not in (
        None,
        source.intermediate_size,
    ):
        raise HarnessError(
            "student.hidden and student.intermediate apply to student.init=random; "
            "teacher-layers keeps the teacher's sizes, so leave them unset"
        )
    taken = evenly_spaced(shape.layers, source.num_hidden_layers)
    config = copy.deepcopy(source)
    config.num_hidden_layers = shape.layers
    student = AutoModelForCausalLM.from_config(config, dtype=teacher.dtype)
    teacher_state = teacher.state_dict()
    state = {}
    for name in student.state_dict():
        parts = name.split(".")
        if name.startswith("model.layers."):
            parts[2] = str(taken[int(parts[2])])  # student block i <- teacher block taken[i]
        state[name] = teacher_state[".".join(parts)].detach().clone()
    student.load_state_dict(state)
    return student, taken


def random_student(source: Any, shape: StudentShape) -> Any:
    """A freshly initialised Llama of ``shape``: the teacher's vocabulary, special tokens,
    head size and position settings, the given depth and width."""
    from transformers import LlamaConfig, LlamaForCausalLM

    hidden = shape.hidden or source.hidden_size
    head_dim = getattr(source, "head_dim", None) or source.hidden_size // source.num_attention_heads
    if hidden % head_dim:
        raise HarnessError(
            f"student.hidden={hidden} is not a multiple of the teacher's head size {head_dim}; "
            f"pick a multiple of {head_dim}"
        )
    heads = hidden // head_dim
    group = max(1, source.num_attention_heads // source.num_key_value_heads)
    config = LlamaConfig(
        vocab_size=source.vocab_size,
        hidden_size=hidden,
        intermediate_size=shape.intermediate
        or source.intermediate_size * hidden // source.hidden_size,
        num_hidden_layers=shape.layers,
        num_attention_heads=heads,
        num_key_value_heads=max(1, heads // group) if heads % group == 0 else heads,
        max_position_embeddings=source.max_position_embeddings,
        rms_norm_eps=source.rms_norm_eps,
        rope_parameters=getattr(source, "rope_parameters", None),
        tie_word_embeddings=source.tie_word_embeddings,
        bos_token_id=source.bos_token_id,
        eos_token_id=source.eos_token_id,
        pad_token_id=source.pad_token_id,
    )
    return LlamaForCausalLM(config)


def distillation_loss(
    student_logits: torch.Tensor,
    teacher_logits: torch.Tensor,
    labels: torch.Tensor,
    *,
    temperature: float,
    alpha: float,
    num_items: int | torch.Tensor | None = None,
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """(mixed, soft, hard) losses over the completion tokens (``labels != -100``).

    ``labels`` are unshifted, as the SFT collator builds them: the logits at position i
    predict the label at i + 1. Both parts are averaged over the completion tokens, or
    summed and divided by ``num_items`` (the Trainer's token count for a gradient-
    accumulated step) when given.
    """
    student_logits = student_logits[:, :-1].float()
    teacher_logits = teacher_logits[:, :-1].float()
    targets = labels[:, 1:]
    mask = targets != -100
    count = num_items if num_items is not None else mask.sum().clamp(min=1)

    student_logp = student_logits.log_softmax(-1)
    hard_tokens = -student_logp.gather(-1, targets.clamp(min=0).unsqueeze(-1)).squeeze(-1)
    hard = (hard_tokens * mask).sum() / count

    teacher_logp_t = (teacher_logits / temperature).log_softmax(-1)
    student_logp_t = (student_logits / temperature).log_softmax(-1)
    kl_tokens = (teacher_logp_t.exp() * (teacher_logp_t - student_logp_t)).sum(-1)
    soft = temperature**2 * (kl_tokens * mask).sum() / count

    return alpha * soft + (1 - alpha) * hard, soft, hard


class DistillationSFTTrainer(SFTTrainer):
    """trl's SFTTrainer (same data pipeline and completion-only labels) with the loss
    replaced by the teacher/label mix of :func:`distillation_loss`."""

    def __init__(self, *args: Any, teacher: Any, temperature: float, alpha: float, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.teacher = teacher.eval()
        self.teacher.requires_grad_(False)
        self.temperature = temperature
        self.alpha = alpha

    def compute_loss(
        self,
        model: Any,
        inputs: dict[str, Any],
        return_outputs: bool = False,
        num_items_in_batch: Any = None,
    ) -> Any:
        labels = inputs["labels"]
        forward = {
            k: v for k, v in inputs.items() if k in ("input_ids", "attention_mask", "position_ids")
        }
        outputs = model(**forward, use_cache=False)
        device = outputs.logits.device
        if next(self.teacher.parameters()).device != device:
            self.teacher.to(device)
        with torch.no_grad():
            teacher_logits = self.teacher(**forward, use_cache=False).logits
        loss, soft, hard = distillation_loss(
            outputs.logits,
            teacher_logits,
            labels,
            temperature=self.temperature,
            alpha=self.alpha,
            num_items=num_items_in_batch,
        )
        mode = "train" if model.training else "eval"
        # Averaged per logging window by SFTTrainer.log, like its own token accuracy.
        self._metrics[mode]["loss_soft"].append(float(soft.detach()))
        self._metrics[mode]["loss_hard"].append(float(hard.detach()))
        return (loss, outputs) if return_outputs else loss


def distill(
    session: RecipeSession[Config],
    teacher: Any,
    student: Any,
    tokenizer: Any,
    examples: Sequence[Example],
    run: Any,
) -> TrainingOutcome:
    """Train ``student`` against ``teacher`` on ``examples`` with the session's settings."""
    config = session.config
    trainer = distillation_trainer(
        teacher,
        student,
        tokenizer,
        examples,
        args=argument_values(config.train, run, config.seed),
        max_length=config.data.max_length,
        temperature=config.distill.temperature,
        alpha=config.distill.alpha,
    )
    return run_trainer(
        trainer,
        run,
        description=f"{session.recipe} {session.name}",
        callbacks=session.callbacks,
        curve_keys=CURVE_KEYS,
    )


def distillation_trainer(
    teacher: Any,
    student: Any,
    tokenizer: Any,
    examples: Sequence[Example],
    *,
    args: dict[str, Any],
    max_length: int,
    temperature: float,
    alpha: float,
) -> DistillationSFTTrainer:
    """The trainer, built as ``train_sft`` builds its SFTTrainer (completion-only loss)."""
    from datasets import Dataset, disable_progress_bars
    from trl import SFTConfig

    disable_progress_bars()
    dataset = Dataset.from_list(
        [{"prompt": e.prompt, "completion": e.completion} for e in examples]
    )
    sft_args = SFTConfig(**args, max_length=max_length, packing=False, completion_only_loss=True)
    return DistillationSFTTrainer(
        model=student,
        args=sft_args,
        train_dataset=dataset,
        processing_class=tokenizer,
        teacher=teacher,
        temperature=temperature,
        alpha=alpha,
    )
