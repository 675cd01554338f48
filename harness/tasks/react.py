"""ReAct (Yao et al., 2023): the model interleaves thoughts with actions on tools.

Each step the model continues the prompt and trajectory after ``Thought:``, writing its
thought and one ``Action: tool[argument]``; generation stops before ``Observation:``, the
tool runs, and its result is appended as the observation. ``finish[answer]`` ends the
trajectory with that answer; after ``max_steps`` steps without it the trajectory ends
unanswered. An action that names no tool, or is missing, is an invalid step whose
observation says how to write one; it still counts as a step.

The loop takes the model as a function from prompts to generations (the runner passes its
backend, batched: every unfinished trajectory's next step is one batch), so its control
flow is testable with scripted generations.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from harness.store import AgentStep
from harness.tasks.react_tools import TOOLS, ReactTools

Generate = Callable[[list[str]], list[str]]
NO_ANSWER = "[no answer]"
INVALID = "invalid"
_ACTION = re.compile(r"^\s*([A-Za-z_]+)\s*\[(.*)\]\s*$", re.DOTALL)
INVALID_HELP = (
    "Invalid action. Write one of: search[query], lookup[term], calculate[expression], "
    "finish[answer]."
)


@dataclass(frozen=True)
class Trajectory:
    """One item's steps and its answer (None when the step limit came before finish)."""

    steps: tuple[AgentStep, ...]
    answer: str | None

    @property
    def prediction(self) -> str:
        """The answer as metrics compare it: lower case, without end punctuation."""
        if self.answer is None:
            return NO_ANSWER
        return self.answer.strip().strip(".!?\"'").strip().lower()


def parse_step(generation: str) -> tuple[str, str, str, str]:
    """(thought, action as written, tool, argument) of one generated step."""
    text = generation.split("\nObservation")[0]
    thought, _, rest = text.partition("Action:")
    action = rest.strip().splitlines()[0].strip() if rest.strip() else ""
    match = _ACTION.match(action)
    tool = match.group(1).lower() if match else ""
    if tool not in TOOLS:
        return thought.strip(), action, INVALID, ""
    assert match is not None
    return thought.strip(), action, tool, match.group(2).strip()


def observe(tools: ReactTools, tool: str, argument: str) -> str:
    """The observation a step's action produces."""
    if tool == "search":
        return tools.search(argument)
    if tool == "lookup":
        return tools.lookup(argument)
    if tool == "calculate":
        return tools.calculate(argument)
    if tool == "finish":
        return ""
    return INVALID_HELP


def run_react(
    prompts: Sequence[str],
    generate: Generate,
    new_tools: Callable[[], ReactTools],
    max_steps: int,
    on_done: Callable[[int], None] = lambda _: None,
) -> list[Trajectory]:
    """Every prompt's trajectory; each step sends all unfinished ones to ``generate`` at once.

    ``on_done(n)`` is told how many trajectories ended at each step (for a progress bar).
    """
    tools = [new_tools() for _ in prompts]
    transcripts = [f"{p}Thought:" for p in prompts]
    steps: list[list[AgentStep]] = [[] for _ in prompts]
    answers: list[str | None] = [None] * len(prompts)
    active = list(range(len(prompts)))
    for step in range(1, max_steps + 1):
        if not active:
            break
        generations = generate([transcripts[i] for i in active])
        still = []
        for i, generation in zip(active, generations, strict=True):
            thought, action, tool, argument = parse_step(generation)
            observation = observe(tools[i], tool, argument)
            steps[i].append(
                AgentStep(
                    thought=thought,
                    action=action,
                    tool=tool,
                    argument=argument,
                    observation=observation,
                )
            )
            if tool == "finish":
                answers[i] = argument
                continue
            transcripts[i] += f" {thought}\nAction: {action}\nObservation: {observation}\nThought:"
            still.append(i)
        on_done(len(active) - len(still) if step < max_steps else len(active))
        active = still
    return [Trajectory(tuple(s), a) for s, a in zip(steps, answers, strict=True)]
