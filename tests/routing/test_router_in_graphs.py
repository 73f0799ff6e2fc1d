"""The router inside LangGraph agents, logged by CallLogger: rows show which tier served."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Annotated, Any, TypedDict

import pytest
from langchain_core.messages import AIMessage, BaseMessage, ToolMessage
from langchain_core.tools import tool
from langgraph.graph import START, StateGraph
from langgraph.graph.message import add_messages
from langgraph.prebuilt import ToolNode, tools_condition
from routing_fakes import scripted

from hetero_agents.logs import CallLogger, LogStore
from hetero_agents.routing import CascadePolicy, ChatRouter, hetero_node


@tool
def add(a: int, b: int) -> int:
    """Add two integers."""
    return a + b


def slm_reply(messages: list[BaseMessage], kwargs: dict[str, Any]) -> AIMessage:
    """The SLM names a tool that does not exist, then answers well once it has the result."""
    if isinstance(messages[-1], ToolMessage):
        return AIMessage(content=f"The sum is {messages[-1].content}.")
    return AIMessage(content="", tool_calls=[{"name": "plus", "args": {"a": 1}, "id": "c0"}])


def llm_reply(messages: list[BaseMessage], kwargs: dict[str, Any]) -> AIMessage:
    if isinstance(messages[-1], ToolMessage):
        return AIMessage(content="big model: done")
    return AIMessage(content="", tool_calls=[{"name": "add", "args": {"a": 1, "b": 2}, "id": "c1"}])


def make_router() -> ChatRouter:
    return ChatRouter(
        llm=scripted(llm_reply, "big"),
        slms={"tiny": scripted(slm_reply, "tiny")},
        policy=CascadePolicy(),
    )


def test_create_react_agent_through_the_router_with_the_logger(tmp_path: Path) -> None:
    from langgraph.prebuilt import create_react_agent

    db = tmp_path / "logs.db"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        agent = create_react_agent(make_router(), [add])
    with CallLogger(db) as logger:
        result = agent.invoke({"messages": [("user", "what is 1 + 2?")]}, {"callbacks": [logger]})
        assert logger.flush(timeout=10)
    assert result["messages"][-1].content == "The sum is 3."
    store = LogStore(db)
    rows = list(store.calls(with_tool_runs=True))
    assert [(r.tier, r.model, r.route and r.route["escalated"]) for r in rows] == [
        ("llm", "big", True),
        ("slm", "tiny", False),
    ]
    assert rows[0].route is not None
    assert rows[0].route["escalation_reason"].startswith("unknown_tool: 'plus'")
    assert rows[0].route["policy"] == "cascade"
    assert [r.node for r in rows] == ["agent", "agent"]
    assert len(rows[0].tool_runs) == 1
    store.close()


class State(TypedDict):
    messages: Annotated[list[BaseMessage], add_messages]


@pytest.mark.parametrize("mode", ["invoke", "stream_messages", "ainvoke"])
async def test_hand_written_state_graph_with_tool_node(tmp_path: Path, mode: str) -> None:
    router = make_router().bind_tools([add])

    @hetero_node(task="answer")
    def agent(state: State) -> dict[str, Any]:
        return {"messages": [router.invoke(state["messages"])]}

    graph = StateGraph(State)
    graph.add_node("agent", agent)
    graph.add_node("tools", ToolNode([add]))
    graph.add_edge(START, "agent")
    graph.add_conditional_edges("agent", tools_condition)
    graph.add_edge("tools", "agent")
    app = graph.compile()
    inputs = {"messages": [("user", "1 + 2?")]}
    db = tmp_path / "logs.db"
    with CallLogger(db) as logger:
        config = {"callbacks": [logger]}
        if mode == "invoke":
            final = app.invoke(inputs, config)["messages"][-1]
        elif mode == "ainvoke":
            final = (await app.ainvoke(inputs, config))["messages"][-1]
        else:
            streamed = [
                chunk
                for chunk, meta in app.stream(inputs, config, stream_mode="messages")
                if meta["langgraph_node"] == "agent"
            ]
            names = [c.get("name") for m in streamed for c in getattr(m, "tool_call_chunks", [])]
            assert "plus" not in names  # the rejected SLM tool call never reached the stream
            assert "add" in names
            assert "The sum is 3." in "".join(m.text for m in streamed)
            final = None
        assert logger.flush(timeout=10)
    if final is not None:
        assert final.content == "The sum is 3."
    store = LogStore(db)
    rows = list(store.calls())
    assert [(r.tier, r.task, r.node) for r in rows] == [
        ("llm", "answer", "agent"),
        ("slm", "answer", "agent"),
    ]
    store.close()
