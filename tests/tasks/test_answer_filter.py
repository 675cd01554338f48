"""Answer extraction before metrics (lm-eval's regex filter with take-first)."""

from harness.tasks.answer_filter import extract_answer
from harness.tasks.config import AnswerFilter

BBH_COT = AnswerFilter(regex="(?<=the answer is )(.*)(?=.)")


def test_the_text_after_the_answer_is_without_its_final_period() -> None:
    text = "2 + 2 = 4. So the answer is 4.\n"
    assert extract_answer(text, BBH_COT) == "4"


def test_the_first_match_wins() -> None:
    text = "So the answer is (A). Wait, the answer is (B)."
    assert extract_answer(text, BBH_COT) == "(A). Wait, the answer is (B)"


def test_select_minus_one_takes_the_last_match() -> None:
    rule = AnswerFilter(regex=r"answer: (\w+)", select=-1)
    assert extract_answer("answer: yes ... answer: no", rule) == "no"


def test_no_match_gives_the_fallback() -> None:
    assert extract_answer("I am not sure", BBH_COT) == "[invalid]"


def test_a_pattern_with_groups_yields_its_first_non_empty_group() -> None:
    rule = AnswerFilter(regex=r"\((A)\)|\((B)\)")
    assert extract_answer("pick (B)", rule) == "B"
