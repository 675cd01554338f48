"""ReAct's loop: finish, invalid actions, the step limit, tools; a stored run on the tiny model.

The loop takes the model as a function, so its control flow is driven here by scripted
generations; the end-to-end test runs the real tiny model through ``harness eval``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from harness.runner import EvalOptions, run_eval
from harness.store import GenerationOutputs, open_store
from harness.tasks.react import INVALID_HELP, NO_ANSWER, parse_step, run_react
from harness.tasks.react_tools import ReactTools
from harness.tasks.retrieval import PassageIndex

CORPUS = PassageIndex(
    [
        "Nile -- The Nile is a river in Africa. It is about 6650 km long. It flows north.",
        "Paris -- Paris is the capital of France. The Seine flows through Paris.",
    ]
)


class Script:
    """Generations handed out in order, with every batch of prompts the loop asked about."""

    def __init__(self, *generations: str) -> None:
        self._next: Iterator[str] = iter(generations)
        self.batches: list[list[str]] = []

    def __call__(self, prompts: list[str]) -> list[str]:
        self.batches.append(prompts)
        return [next(self._next) for _ in prompts]


def tools() -> ReactTools:
    return ReactTools(CORPUS)


def test_a_step_is_parsed_into_thought_action_tool_and_argument() -> None:
    assert parse_step(" I look.\nAction: Search[Nile length]\nObservation: made up") == (
        "I look.",
        "Search[Nile length]",
        "search",
        "Nile length",
    )
    assert parse_step(" no action here") == ("no action here", "", "invalid", "")
    assert parse_step(" x\nAction: fly[home]") == ("x", "fly[home]", "invalid", "")


def test_finish_ends_a_trajectory_and_the_others_go_on() -> None:
    script = Script(
        " Easy.\nAction: finish[Yes.]",
        " Search first.\nAction: search[Nile river]",
        " It is long.\nAction: finish[no]",
    )
    first, second = run_react(["Q1\n", "Q2\n"], script, tools, max_steps=5)
    assert first.answer == "Yes." and first.prediction == "yes" and len(first.steps) == 1
    assert second.prediction == "no" and [s.tool for s in second.steps] == ["search", "finish"]
    assert second.steps[0].observation.startswith("Nile -- The Nile is a river")
    assert script.batches[0] == ["Q1\nThought:", "Q2\nThought:"]
    assert script.batches[1] == [  # only the unfinished trajectory, with its observation
        "Q2\nThought: Search first.\nAction: search[Nile river]\nObservation: "
        f"{second.steps[0].observation}\nThought:"
    ]


def test_the_step_limit_ends_a_trajectory_unanswered() -> None:
    script = Script(*[" still thinking\nAction: lookup[Nile]"] * 3)
    (trajectory,) = run_react(["Q\n"], script, tools, max_steps=3)
    assert trajectory.answer is None and trajectory.prediction == NO_ANSWER
    assert len(trajectory.steps) == 3 and len(script.batches) == 3
    assert trajectory.steps[0].observation == "No passage is open; search first."


def test_an_invalid_action_is_a_step_whose_observation_says_how_to_act() -> None:
    script = Script(" hmm", " ok\nAction: finish[no]")
    done: list[int] = []
    (trajectory,) = run_react(["Q\n"], script, tools, max_steps=4, on_done=done.append)
    assert [s.tool for s in trajectory.steps] == ["invalid", "finish"]
    assert trajectory.steps[0].observation == INVALID_HELP
    assert INVALID_HELP in script.batches[1][0]
    assert done == [0, 1]


def test_lookup_walks_the_open_passages_matching_sentences() -> None:
    agent = tools()
    assert agent.search("Seine") == (
        "Paris -- Paris is the capital of France. The Seine flows through Paris."
    )
    assert agent.lookup("paris") == "(Result 1 / 2) Paris -- Paris is the capital of France."
    assert agent.lookup("Paris") == "(Result 2 / 2) The Seine flows through Paris."
    assert agent.lookup("paris") == "No more results."
    assert agent.search("zebra") == "No passage matches 'zebra'; try other words."


def test_calculate_runs_in_the_sandbox() -> None:
    agent = tools()
    assert agent.calculate("6650 * 2") == "13300"
    assert agent.calculate("1/0").startswith("Error: error: ZeroDivisionError")
    assert agent.calculate("x = 1").startswith("calculate takes one Python expression")
    denied = agent.calculate("open('/etc/hostname').read()")
    assert denied.startswith("Error:")


def test_a_react_run_on_the_tiny_model_stores_every_step(tiny_model, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    limit = 2
    store = tmp_path / "runs.db"
    options = EvalOptions(
        model="tiny-random-llama",
        suite="react",
        limit=limit,
        gen={"max_new_tokens": 6},
        store=store,
        progress=False,
    )
    report = run_eval(options, model=tiny_model, log=lambda _: None)
    with open_store(store) as opened:
        scores = {s.metric: s.value for s in opened.get_scores(report.run_id, scope="task")}
        samples = opened.get_samples(report.run_id, "react_boolq")
    assert len(samples) == limit
    lengths = []
    for sample in samples:
        assert isinstance(sample.outputs, GenerationOutputs)
        steps = sample.outputs.steps
        assert steps, "every trajectory keeps its steps"
        finished = steps[-1].tool == "finish"
        assert finished or len(steps) == 6  # the suite's step limit
        assert (sample.prediction == NO_ANSWER) == (not finished)
        assert sample.metrics["finish_share"] == float(finished)
        invalid = sum(s.tool == "invalid" for s in steps) / len(steps)
        assert sample.metrics["invalid_action_share"] == invalid
        lengths.append(len(steps))
    assert scores["steps_used"] == sum(lengths) / limit
    assert set(scores) >= {"exact_match", "steps_used", "invalid_action_share", "finish_share"}
