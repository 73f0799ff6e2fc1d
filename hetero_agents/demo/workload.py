"""The demo's workload: BFCL questions as agent tasks whose right answers are known.

Each task is one question from BFCL's ``simple`` or ``multiple`` files with its
functions as the agent's tools. The agent (see :mod:`hetero_agents.demo.agent`)
handles it in three model calls, one per node, and each has a known right
answer, so task success is measured, not judged:

* ``triage`` names the function the request needs: right if it is the function
  BFCL expects;
* ``worker`` calls it: right if the call passes BFCL's AST check;
* ``answer`` tells the user what was done: right if it is a short, non-empty
  reply that states every number the call was made with (a reply that drops
  or garbles the figures would mislead the user).

Tasks are split into a train set (run LLM-only and logged: what the pipeline
learns from) and a held-out set (never seen by the pipeline: what routing is
measured on), reproducibly from a seed.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from hetero_agents.evals.bfcl import BfclCategory, BfclQuestion, load_questions


@dataclass(frozen=True, slots=True)
class DemoTask:
    """One agent task: a BFCL question, its tools, and what counts as success."""

    question: BfclQuestion

    @property
    def id(self) -> str:
        """BFCL's question id."""
        return self.question.id

    @property
    def request(self) -> str:
        """The user's request text."""
        return " ".join(
            turn["content"] for turn in self.question.messages if turn["role"] == "user"
        )

    @property
    def tools(self) -> tuple[dict[str, Any], ...]:
        """OpenAI-format tool schemas offered to the agent."""
        return self.question.tools

    @property
    def expected_function(self) -> str:
        """The function BFCL expects to be called."""
        return self.question.ground_truth[0].name


def demo_tasks(
    n_train: int,
    n_heldout: int,
    *,
    seed: int = 0,
    categories: Sequence[BfclCategory] = ("simple", "multiple"),
) -> tuple[list[DemoTask], list[DemoTask]]:
    """Draw disjoint train and held-out tasks, alternating categories, reproducibly.

    Args:
        n_train: Tasks the LLM runs alone (logged; the pipeline's input).
        n_heldout: Tasks used to compare LLM-only and routed runs.
        seed: Same seed, same tasks.
        categories: BFCL categories to draw from, mixed evenly.

    Raises:
        ValueError: More tasks were asked for than the categories hold.
    """
    rng = random.Random(seed)  # noqa: S311 - a reproducible sample, not a secret
    pools: dict[str, list[BfclQuestion]] = {}
    for category in categories:
        questions = [q for q in load_questions(category) if _usable(q)]
        rng.shuffle(questions)
        pools[category] = questions
    total = n_train + n_heldout
    if total > sum(len(pool) for pool in pools.values()):
        raise ValueError(f"asked for {total} tasks; the chosen BFCL categories hold fewer")
    drawn: list[DemoTask] = []
    while len(drawn) < total:
        for category in categories:
            pool = pools[category]
            if pool and len(drawn) < total:
                drawn.append(DemoTask(pool.pop()))
    return drawn[:n_train], drawn[n_train:]


def _usable(question: BfclQuestion) -> bool:
    """Questions with one expected call whose arguments can be checked in a reply."""
    return len(question.ground_truth) == 1 and bool(question.tools)


def numbers_in_call(arguments: Mapping[str, Any]) -> list[str]:
    """Every number among a call's argument values (recursively), as the reply must state them."""
    found: list[str] = []

    def visit(value: Any) -> None:
        if isinstance(value, bool):
            return
        if isinstance(value, int | float):
            found.append(_format_number(value))
        elif isinstance(value, Mapping):
            for item in value.values():
                visit(item)
        elif isinstance(value, list | tuple):
            for item in value:
                visit(item)

    visit(arguments)
    return found


def _format_number(value: float) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value)


__all__ = ["DemoTask", "demo_tasks", "numbers_in_call"]
