"""Exports: OpenAI fine-tuning JSONL with tools, plain JSONL, OpenTelemetry GenAI spans."""

from __future__ import annotations

import json
import stat
from pathlib import Path
from typing import Any

import pytest
from capture_fakes import ScriptedChatModel, usage
from langchain_core.messages import AIMessage, BaseMessage, ToolMessage
from langchain_core.tools import tool
from test_graph_capture import INPUT, build_graph

from hetero_agents.logs import CallLogger, LogStore


@tool
def get_weather(city: str) -> str:
    """Current weather of a city."""
    return f"sunny in {city}"


def _agent_turns(messages: list[BaseMessage]) -> AIMessage:
    if isinstance(messages[-1], ToolMessage):
        return AIMessage("It is sunny in Paris.", usage_metadata=usage(40, 6))
    return AIMessage(
        "",
        tool_calls=[{"name": "get_weather", "args": {"city": "Paris"}, "id": "call_1"}],
        usage_metadata=usage(30, 9),
    )


@pytest.fixture
def store(db_path: Path) -> LogStore:
    """One tool-using conversation, plus one failed call that export must skip."""
    model = ScriptedChatModel(respond=_agent_turns, model_name="gpt-4o")
    bound = model.bind_tools([get_weather])
    failing = ScriptedChatModel(respond=_agent_turns, fail_with=RuntimeError)
    with CallLogger(db_path) as logger:
        config: Any = {"callbacks": [logger], "metadata": {"thread_id": "w1"}}
        first = bound.invoke("weather in Paris?", config)
        result = get_weather.invoke(first.tool_calls[0] | {"type": "tool_call"}, config)
        bound.invoke(["weather in Paris?", first, result], config)
        with pytest.raises(RuntimeError):
            failing.invoke("x", config)
    return LogStore(db_path)


def test_openai_finetuning_jsonl_has_tools_and_assistant_tool_calls(
    store: LogStore, tmp_path: Path
) -> None:
    out = tmp_path / "train.jsonl"
    assert store.export_openai(out) == 2  # the failed call is not an example
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    first, second = (json.loads(line) for line in out.read_text().splitlines())
    tool_def = first["tools"][0]
    assert tool_def["type"] == "function"
    assert tool_def["function"]["name"] == "get_weather"
    assert "city" in tool_def["function"]["parameters"]["properties"]
    assert first["messages"][0] == {"role": "user", "content": "weather in Paris?"}
    answer = first["messages"][-1]
    assert answer["role"] == "assistant"
    (call,) = answer["tool_calls"]
    assert call["type"] == "function"
    assert call["id"] == "call_1"
    assert json.loads(call["function"]["arguments"]) == {"city": "Paris"}
    roles = [m["role"] for m in second["messages"]]
    assert roles == ["user", "assistant", "tool", "assistant"]
    assert second["messages"][2]["tool_call_id"] == "call_1"
    assert second["messages"][-1]["content"] == "It is sunny in Paris."


def test_plain_jsonl_has_every_field_and_the_tool_runs(store: LogStore, tmp_path: Path) -> None:
    out = tmp_path / "all.jsonl"
    assert store.export_jsonl(out, thread_id="w1") == 3
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["status"] for r in rows] == ["ok", "ok", "error"]
    (run,) = rows[0]["tool_runs"]
    assert run["name"] == "get_weather"
    assert run["call_id"] == rows[0]["id"]
    assert run["output"] == "sunny in Paris"
    assert rows[0]["input_tokens"] == 30
    assert rows[0]["cost_usd"] == pytest.approx((30 * 2.5 + 9 * 10) / 1e6)


def test_otel_spans_follow_the_genai_conventions(store: LogStore) -> None:
    memory = pytest.importorskip("opentelemetry.sdk.trace.export.in_memory_span_exporter")
    exporter = memory.InMemorySpanExporter()
    assert store.export_otel(exporter) == 4  # three calls and one tool run
    spans = {span.name: span for span in exporter.get_finished_spans()}
    chat = next(s for s in exporter.get_finished_spans() if s.name == "chat gpt-4o")
    attrs = dict(chat.attributes or {})
    assert attrs["gen_ai.operation.name"] == "chat"
    assert attrs["gen_ai.request.model"] == "gpt-4o"
    assert attrs["gen_ai.provider.name"] == "scripted"
    assert attrs["gen_ai.conversation.id"] == "w1"
    assert attrs["gen_ai.usage.input_tokens"] == 30
    assert "gen_ai.input.messages" not in attrs  # content is opt-in
    tool_span = spans["execute_tool get_weather"]
    tool_attrs = dict(tool_span.attributes or {})
    assert tool_attrs["gen_ai.tool.call.id"] == "call_1"
    assert tool_span.parent is not None
    assert tool_span.parent.span_id == chat.context.span_id
    failed = [s for s in exporter.get_finished_spans() if s.status.status_code.name == "ERROR"]
    assert len(failed) == 1
    assert dict(failed[0].attributes or {})["error.type"] == "RuntimeError"


def test_otel_content_is_opt_in(store: LogStore) -> None:
    memory = pytest.importorskip("opentelemetry.sdk.trace.export.in_memory_span_exporter")
    exporter = memory.InMemorySpanExporter()
    store.export_otel(exporter, include_content=True, status="ok")
    chat = exporter.get_finished_spans()[0]
    inputs = json.loads(dict(chat.attributes or {})["gen_ai.input.messages"])
    assert inputs == [{"role": "user", "parts": [{"type": "text", "content": "weather in Paris?"}]}]
    outputs = json.loads(dict(chat.attributes or {})["gen_ai.output.messages"])
    assert outputs[0]["parts"][0]["type"] == "tool_call"


def test_graph_export_round_trips_through_the_openai_format(db_path: Path) -> None:
    from test_graph_capture import ScriptedChatModel as Model
    from test_graph_capture import _plan, _write

    app = build_graph(Model(respond=_plan), Model(respond=_write))
    with CallLogger(db_path) as logger:
        app.invoke(INPUT, {"callbacks": [logger]})
        logger.flush()
        out = db_path.parent / "g.jsonl"
        assert logger.store.export_openai(out) == 3
    examples = [json.loads(line) for line in out.read_text().splitlines()]
    assert [len(e["messages"]) for e in examples] == [2, 5, 6]


def test_otel_without_the_extra_names_the_install(
    store: LogStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys

    from hetero_agents.errors import MissingExtraError

    monkeypatch.setitem(sys.modules, "opentelemetry.trace", None)
    with pytest.raises(MissingExtraError, match=r"hetero-agents\[otel\]"):
        store.export_otel(object())
