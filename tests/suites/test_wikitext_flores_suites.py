"""WikiText-2 as lm-eval's documents; FLORES-200 pairs built from sentence-aligned files."""

from __future__ import annotations

from pathlib import Path

from harness.backends.requests import RollingResult
from harness.tasks import Task, load_suite
from harness.tasks.text_filters import wikitext_detokenize


def _task(suite: str, name: str, data: Path) -> Task:
    (config,) = load_suite(suite).select([name])
    return Task(config, data)


def test_wikitext_test_split_has_lm_evals_62_articles(shared_data: Path) -> None:
    task = _task("wikitext", "wikitext", shared_data)
    assert len(task.docs) == 62
    assert task.docs[0]["page"].startswith(" = Robert Boulter = \n Robert Boulter is")


def test_wikitext_scores_the_detokenized_article(shared_data: Path) -> None:
    task = _task("wikitext", "wikitext", shared_data)
    item = task.build_items(1)[0]
    assert item.prompt == wikitext_detokenize(item.doc["page"])
    assert "guest-starring" in item.prompt


def test_wikitext_counts_words_and_bytes_before_detokenizing(shared_data: Path) -> None:
    import re

    task = _task("wikitext", "wikitext", shared_data)
    item = task.build_items(1)[0]
    outcome = task.outcome(item, [RollingResult(logprob=-100.0, n_tokens=50, n_bytes=1)])
    page = item.doc["page"]
    assert outcome.n_words == len(re.split(r"\s+", page))
    assert outcome.n_bytes == len(page.encode("utf-8"))


def test_flores_default_pairs_and_all_ninety(shared_data: Path) -> None:
    assert [t.task for t in load_suite("flores").tasks] == [
        "flores_deu-eng",
        "flores_fra-eng",
        "flores_eng-deu",
    ]
    assert len(load_suite("flores200").tasks) == 90


def test_flores_prompt_and_reference_are_the_same_line(shared_data: Path) -> None:
    item = _task("flores", "flores_deu-eng", shared_data).build_items(1)[0]
    assert item.prompt == (
        "German phrase: „Wir haben jetzt 4 Monate alte Mäuse, die Diabetes hatten und jetzt "
        "keinen mehr haben“, fügte er hinzu.\nEnglish phrase:"
    )
    assert item.references == (
        '"We now have 4-month-old mice that are non-diabetic that used to be diabetic," he added.',
    )
