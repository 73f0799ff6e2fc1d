"""slm_tool: an SLM as a tool of the LLM agent."""

from __future__ import annotations

from typing import Any

import pytest
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.tools import BaseTool
from langchain_tests.unit_tests import ToolsUnitTests
from pydantic import BaseModel, ValidationError
from routing_fakes import Recorder, call, scripted, text

from hetero_agents.routing import slm_tool
from hetero_agents.routing.slm_tool import SLMTool


class Dates(BaseModel):
    """Dates found in a text."""

    dates: list[str]


class TestSLMToolStandard(ToolsUnitTests):
    @property
    def tool_constructor(self) -> type[BaseTool]:
        return SLMTool

    @property
    def tool_constructor_params(self) -> dict[str, Any]:
        return {
            "name": "summarise",
            "description": "Summarise a text in one sentence.",
            "instructions": "Summarise the user's text in one sentence.",
            "model": scripted(text("short")),
        }

    @property
    def tool_invoke_params_example(self) -> dict[str, Any]:
        return {"input": "A long text about llamas."}


def echo_system(messages: list[BaseMessage], kwargs: dict[str, Any]) -> AIMessage:
    return AIMessage(content=f"{messages[0].text} | {messages[1].text}")


def test_text_tool_sends_instructions_and_input_and_returns_text() -> None:
    tool = slm_tool(
        scripted(echo_system),
        name="rewrite",
        description="Rewrite politely.",
        instructions="Be polite.",
    )
    assert tool.invoke({"input": "give it"}) == "Be polite. | give it"
    assert tool.args == {"input": tool.args["input"]}


async def test_async_tool_returns_the_same() -> None:
    tool = slm_tool(scripted(echo_system), name="rewrite", description="Rewrite politely.")
    assert await tool.ainvoke({"input": "x"}) == "Rewrite politely. | x"


def test_output_schema_returns_validated_structured_data() -> None:
    model = scripted(call("Dates", {"dates": ["2024-03-03"]}))
    tool = slm_tool(model, name="extract_dates", description="List dates.", output_schema=Dates)
    assert tool.invoke({"input": "on 3 March 2024"}) == {"dates": ["2024-03-03"]}
    assert [t["function"]["name"] for t in model.calls[0]["kwargs"]["tools"]] == ["Dates"]


def test_a_tool_call_from_an_llm_gets_json_back() -> None:
    model = scripted(call("Dates", {"dates": ["today"]}))
    tool = slm_tool(model, name="extract_dates", description="List dates.", output_schema=Dates)
    message = tool.invoke(
        {"type": "tool_call", "name": "extract_dates", "args": {"input": "x"}, "id": "call_1"}
    )
    assert message.tool_call_id == "call_1"
    assert message.content == '{"dates": ["today"]}'


def test_invalid_structured_output_raises_instead_of_returning_garbage() -> None:
    model = scripted(call("Dates", {"dates": "not a list"}))
    tool = slm_tool(model, name="extract_dates", description="List dates.", output_schema=Dates)
    with pytest.raises(ValidationError):
        tool.invoke({"input": "x"})


def test_the_slm_call_is_a_child_run_attributed_to_the_task() -> None:
    recorder = Recorder()
    tool = slm_tool(scripted(text("ok")), name="classify", description="Classify.")
    tool.invoke({"input": "x"}, {"callbacks": [recorder]})
    assert len(recorder.starts) == 1
    start = recorder.starts[0]
    assert start["parent"] is not None
    assert start["metadata"]["hetero_task"] == "classify"
    assert start["metadata"]["hetero_tier"] == "slm"


@pytest.mark.parametrize("name", ["", "has space", "dots.not.allowed"])
def test_bad_names_are_rejected(name: str) -> None:
    with pytest.raises(ValueError, match="tool name"):
        slm_tool(scripted(text("x")), name=name, description="d")
