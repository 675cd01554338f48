"""HFBackend gives lm-eval 0.4's HFLM numbers on MMLU prompts with the real SmolLM2-135M.

The prompts follow lm-eval's ``mmlu`` task (the original Hendrycks format): a header naming
the subject, k solved dev examples, then the test question ending in "Answer:", scored
against the continuations " A" .. " D". Both engines load the same converted weights; HFLM
loads them and their tokenizer from the cached folder itself, so tokenisation is compared too.
"""

import csv
from pathlib import Path

import pytest

from harness.backends import HFBackend, LoglikelihoodRequest
from harness.models import load_model
from harness.models.gguf import ensure_converted
from harness.models.packaged import PACKAGED_MODELS, packaged_file

pytestmark = pytest.mark.integration

DATA = Path(__file__).parents[2].parent / "shared" / "data" / "mmlu"
SUBJECTS = ["world_religions", "management"]  # the two with the shortest 5-shot prompts
ITEMS_PER_SUBJECT = 3
LETTERS = "ABCD"


def read_rows(path: Path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))


def format_item(row: list[str], *, with_answer: bool) -> str:
    question, a, b, c, d, answer = row
    text = f"{question.strip()}\nA. {a}\nB. {b}\nC. {c}\nD. {d}\nAnswer:"
    return f"{text} {answer}" if with_answer else text


def mmlu_prompt(subject: str, shots: list[list[str]], item: list[str]) -> str:
    header = f"The following are multiple choice questions (with answers) about {subject.replace('_', ' ')}.\n\n"
    examples = "".join(format_item(shot, with_answer=True) + "\n\n" for shot in shots)
    return header + examples + format_item(item, with_answer=False)


def mmlu_requests() -> list[LoglikelihoodRequest]:
    requests = []
    for subject in SUBJECTS:
        dev = read_rows(DATA / "dev" / f"{subject}_dev.csv")
        test = read_rows(DATA / "test" / f"{subject}_test.csv")[:ITEMS_PER_SUBJECT]
        for n_shots in (5, 0):
            for item in test:
                prompt = mmlu_prompt(subject, dev[:n_shots], item)
                requests.extend(LoglikelihoodRequest(prompt, f" {letter}") for letter in LETTERS)
    return requests


@pytest.mark.skipif(not DATA.is_dir(), reason=f"MMLU data not found at {DATA}")
def test_mmlu_loglikelihoods_equal_lm_eval_hflm() -> None:
    from lm_eval.api.instance import Instance
    from lm_eval.models.huggingface import HFLM

    requests = mmlu_requests()
    assert len(requests) == len(SUBJECTS) * 2 * ITEMS_PER_SUBJECT * len(LETTERS)

    ours = HFBackend(load_model("smollm2-135m-instruct"), batch_size=8).loglikelihood(requests)

    folder = ensure_converted(packaged_file(PACKAGED_MODELS["smollm2-135m-instruct"]))
    reference = HFLM(pretrained=str(folder), batch_size=8, device="cpu")
    theirs = reference.loglikelihood(
        [
            Instance(
                request_type="loglikelihood", doc={}, arguments=(r.context, r.continuation), idx=i
            )
            for i, r in enumerate(requests)
        ],
        disable_tqdm=True,
    )

    for request, mine, (logprob, is_greedy) in zip(requests, ours, theirs, strict=True):
        assert mine.logprob == pytest.approx(logprob, abs=1e-4), request.continuation
        assert mine.is_greedy == is_greedy
        assert mine.n_tokens == 1
    for start in range(0, len(requests), len(LETTERS)):
        our_choice = max(range(len(LETTERS)), key=lambda k: ours[start + k].logprob)
        their_choice = max(range(len(LETTERS)), key=lambda k: theirs[start + k][0])
        assert LETTERS[our_choice] == LETTERS[their_choice]


@pytest.mark.skipif(not DATA.is_dir(), reason=f"MMLU data not found at {DATA}")
def test_the_mmlu_task_builds_exactly_the_prompts_compared_above() -> None:
    from harness.tasks import Task, load_suite

    built: list[LoglikelihoodRequest] = []
    suite = load_suite("mmlu")
    for subject in SUBJECTS:
        (config,) = suite.select([f"mmlu_{subject}"])
        for shots in (5, 0):
            for item in Task(config, DATA.parent, num_fewshot=shots).build_items(ITEMS_PER_SUBJECT):
                built.extend(r for r in item.requests if isinstance(r, LoglikelihoodRequest))
    assert built == mmlu_requests()
