"""The demo's workload, tools and agent graph, on scripted models (the logic, not the models)."""

from __future__ import annotations

from typing import Any

import pytest
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage

from hetero_agents.demo.agent import reply_ok, run_task
from hetero_agents.demo.tools import CHOOSE_FUNCTION, bfcl_tool, choose_function_tool
from hetero_agents.demo.workload import DemoTask, demo_tasks, numbers_in_call
from hetero_agents.evals.bfcl import load_questions


class ScriptedModel(GenericFakeChatModel):
    """Answers from a script and accepts ``bind_tools`` like a real chat model."""

    seen: list[Any] = []

    def bind_tools(self, tools: Any, **kwargs: Any) -> Any:
        return self


def _triangle() -> DemoTask:
    question = next(q for q in load_questions("simple") if q.id == "simple_python_0")
    return DemoTask(question)


def test_tasks_are_disjoint_reproducible_and_mixed() -> None:
    train, heldout = demo_tasks(6, 4, seed=3)
    assert len(train) == 6
    assert len(heldout) == 4
    assert not {t.id for t in train} & {t.id for t in heldout}
    assert [t.id for t in demo_tasks(6, 4, seed=3)[0]] == [t.id for t in train]
    assert {t.question.category for t in train} == {"simple", "multiple"}
    with pytest.raises(ValueError, match="fewer"):
        demo_tasks(10_000, 1)


def test_numbers_in_call_finds_nested_numbers_but_not_booleans() -> None:
    args = {"a": 10, "b": 2.0, "c": True, "d": {"e": [3.5, "x"]}}
    assert numbers_in_call(args) == ["10", "2", "3.5"]


def test_reply_must_state_the_numbers_and_stay_short() -> None:
    calls = [{"name": "calculate_triangle_area", "args": {"base": 10, "height": 5}}]
    assert reply_ok("The area of a triangle with base 10 and height 5 was computed.", calls)
    assert not reply_ok("The area was computed.", calls)
    assert not reply_ok("", calls)
    assert not reply_ok("10 5 " * 200, calls)


def test_bfcl_tool_executes_with_the_schema_and_returns_a_receipt() -> None:
    task = _triangle()
    tool = bfcl_tool(task.tools[0])
    assert tool.name == "calculate_triangle_area"
    receipt = tool.invoke({"base": 10, "height": 5})
    assert receipt == 'done: calculate_triangle_area ran with {"base": 10, "height": 5}'
    choose = choose_function_tool(["b", "a"])
    assert choose["function"]["parameters"]["properties"]["function"]["enum"] == ["a", "b"]


def test_a_perfect_model_succeeds_on_every_node() -> None:
    task = _triangle()
    script = iter(
        [
            AIMessage(
                "",
                tool_calls=[
                    {
                        "name": CHOOSE_FUNCTION,
                        "args": {"function": task.expected_function},
                        "id": "1",
                    }
                ],
            ),
            AIMessage(
                "",
                tool_calls=[
                    {"name": task.expected_function, "args": {"base": 10, "height": 5}, "id": "2"}
                ],
            ),
            AIMessage("I computed the area of a triangle with base 10 and height 5."),
        ]
    )
    outcome = run_task(ScriptedModel(messages=script), task)
    assert (outcome.triage_ok, outcome.call_ok, outcome.answer_ok) == (True, True, True)
    assert outcome.success


def test_each_node_failure_is_measured() -> None:
    task = _triangle()
    script = iter(
        [
            AIMessage(
                "", tool_calls=[{"name": CHOOSE_FUNCTION, "args": {"function": "nope"}, "id": "1"}]
            ),
            AIMessage(
                "",
                tool_calls=[
                    {"name": task.expected_function, "args": {"base": 11, "height": 5}, "id": "2"}
                ],
            ),
            AIMessage("Done."),
        ]
    )
    outcome = run_task(ScriptedModel(messages=script), task)
    assert (outcome.triage_ok, outcome.call_ok, outcome.answer_ok) == (False, False, False)
    assert not outcome.success


def test_a_crash_inside_the_graph_is_a_failed_task_not_a_crash() -> None:
    task = _triangle()
    outcome = run_task(ScriptedModel(messages=iter([])), task)
    assert outcome.error is not None
    assert not outcome.success
