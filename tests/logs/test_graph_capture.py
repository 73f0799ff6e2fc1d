"""A real LangGraph agent (two model nodes + a ToolNode) recorded sync, async and streaming."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest
from capture_fakes import ScriptedChatModel, usage
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, ToolMessage
from langchain_core.runnables import RunnableConfig, RunnableLambda
from langchain_core.tools import tool
from langgraph.graph import END, START, MessagesState, StateGraph
from langgraph.prebuilt import ToolNode, tools_condition

from hetero_agents.logs import CallLogger, CallRecord, LogStore, Price, capture

SECRET_EMAIL = "alice@example.com"


@tool
def lookup_customer(email: str) -> str:
    """Find a customer by email address."""
    return f"customer 42 ({email}) is on the pro plan"


@tool
def refund(order_id: str) -> str:
    """Refund an order."""
    raise ValueError(f"order {order_id} was already refunded")


def _plan(messages: list[BaseMessage]) -> AIMessage:
    if not any(isinstance(m, ToolMessage) for m in messages):
        tag = uuid.uuid4().hex[:8]
        return AIMessage(
            "",
            tool_calls=[
                {"name": "lookup_customer", "args": {"email": SECRET_EMAIL}, "id": f"lk_{tag}"},
                {"name": "refund", "args": {"order_id": "A-17"}, "id": f"rf_{tag}"},
            ],
            usage_metadata=usage(50, 12),
        )
    return AIMessage("Alice is on the pro plan; the refund failed.", usage_metadata=usage(80, 15))


def _write(messages: list[BaseMessage]) -> AIMessage:
    return AIMessage("Summary: one customer, pro plan.", usage_metadata=usage(90, 8))


def build_graph(planner: ScriptedChatModel, writer: ScriptedChatModel) -> Any:
    tools = [lookup_customer, refund]
    bound = planner.bind_tools(tools)

    def plan(state: MessagesState, config: RunnableConfig) -> dict[str, Any]:
        return {"messages": [bound.invoke(state["messages"], config)]}

    async def aplan(state: MessagesState, config: RunnableConfig) -> dict[str, Any]:
        return {"messages": [await bound.ainvoke(state["messages"], config)]}

    def write(state: MessagesState, config: RunnableConfig) -> dict[str, Any]:
        return {"messages": [writer.invoke(state["messages"], config)]}

    async def awrite(state: MessagesState, config: RunnableConfig) -> dict[str, Any]:
        return {"messages": [await writer.ainvoke(state["messages"], config)]}

    graph = StateGraph(MessagesState)
    graph.add_node("planner", RunnableLambda(plan, afunc=aplan))
    graph.add_node("tools", ToolNode(tools, handle_tool_errors=True))
    graph.add_node("writer", RunnableLambda(write, afunc=awrite))
    graph.add_edge(START, "planner")
    graph.add_conditional_edges("planner", tools_condition, {"tools": "tools", END: "writer"})
    graph.add_edge("tools", "planner")
    graph.add_edge("writer", END)
    return graph.compile()


@pytest.fixture
def models() -> tuple[ScriptedChatModel, ScriptedChatModel]:
    return (
        ScriptedChatModel(respond=_plan, model_name="planner-model"),
        ScriptedChatModel(respond=_write, model_name="writer-model"),
    )


PRICES = {"planner-model": Price(1.0, 2.0), "writer-model": Price(3.0, 4.0)}
INPUT = {"messages": [HumanMessage(f"Refund order A-17 for {SECRET_EMAIL}")]}


def _check_thread(store: LogStore, thread: str, *, streamed: bool) -> None:
    calls = list(store.calls(thread_id=thread, with_tool_runs=True))
    # Exactly the three model calls of one run, each attributed to its node.
    assert [c.node for c in calls] == ["planner", "planner", "writer"]
    assert [c.model for c in calls] == ["planner-model", "planner-model", "writer-model"]
    assert all(c.ok and c.streamed is streamed for c in calls)
    assert all((c.ttft_ms is not None) is streamed for c in calls)
    steps = [c.step for c in calls]
    assert steps == sorted(steps)
    assert len(set(steps)) == 3

    first, second, summary = calls
    assert first.input_tokens == 50
    assert first.output_tokens == 12
    assert first.cost_usd == pytest.approx((50 * 1.0 + 12 * 2.0) / 1e6)
    assert summary.cost_usd == pytest.approx((90 * 3.0 + 8 * 4.0) / 1e6)
    assert first.tools is not None
    assert {t["function"]["name"] for t in first.tools} == {"lookup_customer", "refund"}
    assert summary.response == "Summary: one customer, pro plan."
    assert second.response == "Alice is on the pro plan; the refund failed."

    # Tool runs are rows of their own, linked to the call whose tool calls they answer.
    assert first.tool_calls is not None
    requested = {c["id"]: c["name"] for c in first.tool_calls}
    runs = {run.name: run for run in first.tool_runs}
    assert set(runs) == {"lookup_customer", "refund"}
    for run in first.tool_runs:
        assert run.call_id == first.id
        assert requested[run.tool_call_id or ""] == run.name
        assert run.node == "tools"
        assert run.thread_id == thread
    assert runs["lookup_customer"].status == "ok"
    assert runs["refund"].status == "error"
    assert runs["refund"].error_type == "ValueError"
    assert second.tool_runs == ()
    assert summary.tool_runs == ()

    # The email was redacted everywhere, consistently within the call.
    assert first.prompt == "Refund order A-17 for <EMAIL_1>"
    assert first.tool_calls[0]["args"] == {"email": "<EMAIL_1>"}
    assert runs["lookup_customer"].input == {"email": "<EMAIL_1>"}
    # The stored request replays as the messages the model saw.
    replay = second.to_messages()
    assert [m.type for m in replay] == ["human", "ai", "tool", "tool"]


def _raw_bytes(db: Path) -> bytes:
    return b"".join(p.read_bytes() for p in db.parent.glob(db.name + "*"))


async def test_invoke_ainvoke_and_stream_are_recorded_exactly(
    db_path: Path, models: tuple[ScriptedChatModel, ScriptedChatModel]
) -> None:
    planner, writer = models
    app = build_graph(planner, writer)
    logger = CallLogger(db_path, prices=PRICES)

    app.invoke(INPUT, {"callbacks": [logger], "configurable": {"thread_id": "sync"}})
    with capture(logger):
        await app.ainvoke(INPUT, {"configurable": {"thread_id": "async"}})
    streamed = [
        chunk.content
        for chunk, _meta in app.stream(
            INPUT,
            {"callbacks": [logger], "configurable": {"thread_id": "stream"}},
            stream_mode="messages",
        )
        if isinstance(chunk, AIMessage) and chunk.content
    ]
    assert logger.flush(timeout=10)

    store = logger.store
    assert store.count() == planner.n_calls + writer.n_calls == 9
    assert len(store.tool_runs()) == 6
    _check_thread(store, "sync", streamed=False)
    _check_thread(store, "async", streamed=False)
    _check_thread(store, "stream", streamed=True)
    assert "Summary: one customer, pro plan." in "".join(map(str, streamed))
    assert logger.health.counts() == {}
    logger.close()
    assert SECRET_EMAIL.encode() not in _raw_bytes(db_path)


def test_logger_attached_to_one_model_records_only_that_model(
    db_path: Path, models: tuple[ScriptedChatModel, ScriptedChatModel]
) -> None:
    planner, writer = models
    with CallLogger(db_path) as logger:
        watched = writer.with_config(callbacks=[logger])
        app = build_graph(planner, watched)  # type: ignore[arg-type]
        app.invoke(INPUT, {"configurable": {"thread_id": "t"}})
        logger.flush()
        calls: list[CallRecord] = list(logger.store.calls())
        assert logger.store.tool_runs() == []
    assert [c.node for c in calls] == ["writer"]


def test_capture_block_records_nothing_after_it_ends(
    db_path: Path, models: tuple[ScriptedChatModel, ScriptedChatModel]
) -> None:
    planner, writer = models
    app = build_graph(planner, writer)
    with capture(db_path) as logger:
        app.invoke(INPUT)
    app.invoke(INPUT)  # outside the block: not recorded
    assert logger.store.count() == 3  # flushed, and still open for queries
    logger.store.close()
    with LogStore(db_path) as store:
        assert store.count() == 3


def test_nested_capture_blocks_both_record_the_inner_calls(tmp_path: Path) -> None:
    model = ScriptedChatModel(respond=lambda _m: AIMessage("ok"))
    with capture(tmp_path / "outer.db") as outer:
        model.invoke("before")
        with capture(tmp_path / "inner.db") as inner:
            model.invoke("inside")
        model.invoke("after")
    assert [c.prompt for c in outer.store.calls()] == ["before", "inside", "after"]
    assert [c.prompt for c in inner.store.calls()] == ["inside"]
    outer.store.close()
    inner.store.close()
