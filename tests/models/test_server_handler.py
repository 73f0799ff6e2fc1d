"""The server side's own logic on plain data: OpenAI request <-> ChatLlamaCpp, and the repairs."""

from __future__ import annotations

import json
from typing import Any

from langchain_core.messages import AIMessage, AIMessageChunk

from hetero_agents.models._server_handler import (
    as_chunks,
    call_arguments,
    completion,
    stream_text,
)
from hetero_agents.models._server_main import ChatRequestRepair, repair_chat_request

TOOL = {"type": "function", "function": {"name": "f", "parameters": {"type": "object"}}}


def test_sampling_fields_pass_through_and_unset_ones_are_left_to_the_model() -> None:
    kwargs = call_arguments({"temperature": 0.0, "max_tokens": 9, "top_p": None, "model": "m"})
    assert kwargs == {"temperature": 0.0, "max_tokens": 9}


def test_openai_required_is_langchain_any_and_other_choices_pass_through() -> None:
    assert call_arguments({"tools": [TOOL], "tool_choice": "required"})["tool_choice"] == "any"
    named = {"type": "function", "function": {"name": "f"}}
    assert call_arguments({"tools": [TOOL], "tool_choice": named})["tool_choice"] == named
    assert call_arguments({"tools": [TOOL]})["tool_choice"] is None  # auto
    assert "tools" not in call_arguments({"tools": [], "tool_choice": "auto"})


def test_a_text_response_format_means_none() -> None:
    assert "response_format" not in call_arguments({"response_format": {"type": "text"}})
    fmt = {"type": "json_object"}
    assert call_arguments({"response_format": fmt})["response_format"] == fmt


def test_a_tool_call_answer_becomes_an_openai_completion() -> None:
    answer = AIMessage(
        content="",
        tool_calls=[{"name": "f", "args": {"city": "Zürich"}, "id": "call_1"}],
        usage_metadata={"input_tokens": 10, "output_tokens": 4, "total_tokens": 14},
        response_metadata={"finish_reason": "tool_calls"},
    )
    done = completion(answer, "m")
    choice = done["choices"][0]
    assert choice["finish_reason"] == "tool_calls"
    assert choice["message"]["content"] is None
    (call,) = choice["message"]["tool_calls"]
    assert call["id"] == "call_1"
    assert call["function"]["name"] == "f"
    assert json.loads(call["function"]["arguments"]) == {"city": "Zürich"}
    assert done["usage"] == {"prompt_tokens": 10, "completion_tokens": 4, "total_tokens": 14}
    assert done["model"] == "m"


def test_a_call_without_an_id_gets_one_and_text_keeps_its_finish_reason() -> None:
    calls = completion(
        AIMessage(content="", tool_calls=[{"name": "f", "args": {}, "id": None}]), "m"
    )
    assert calls["choices"][0]["message"]["tool_calls"][0]["id"].startswith("call_")
    text = completion(AIMessage(content="hi", response_metadata={"finish_reason": "length"}), "m")
    assert text["choices"][0]["message"] == {"role": "assistant", "content": "hi"}
    assert text["choices"][0]["finish_reason"] == "length"


def test_a_completion_streams_as_role_text_calls_then_finish() -> None:
    answer = AIMessage(content="", tool_calls=[{"name": "f", "args": {"a": 1}, "id": "c"}])
    chunks = list(as_chunks(completion(answer, "m")))
    deltas = [c["choices"][0]["delta"] for c in chunks]
    assert deltas[0] == {"role": "assistant", "content": ""}
    assert [c["function"]["name"] for c in deltas[1]["tool_calls"]] == ["f"]  # the name once
    assert deltas[1]["tool_calls"][0]["index"] == 0
    assert chunks[-1]["choices"][0]["finish_reason"] == "tool_calls"
    assert {c["object"] for c in chunks} == {"chat.completion.chunk"}


def test_null_assistant_content_is_made_empty_and_anything_else_is_left_alone() -> None:
    body = {"messages": [{"role": "assistant", "content": None, "tool_calls": []}]}
    assert (
        json.loads(repair_chat_request(json.dumps(body).encode()))["messages"][0]["content"] == ""
    )
    untouched = json.dumps({"messages": [{"role": "user", "content": None}]}).encode()
    assert repair_chat_request(untouched) is untouched
    assert repair_chat_request(b"not json") == b"not json"


def test_max_completion_tokens_is_read_as_max_tokens_unless_both_are_given() -> None:
    newer = json.dumps({"messages": [], "max_completion_tokens": 7}).encode()
    assert json.loads(repair_chat_request(newer)) == {"messages": [], "max_tokens": 7}
    both = json.dumps({"max_tokens": 3, "max_completion_tokens": 7}).encode()
    assert repair_chat_request(both) is both


async def test_the_middleware_hands_the_app_the_repaired_body_and_its_length() -> None:
    seen: dict[str, Any] = {}

    async def app(scope: Any, receive: Any, send: Any) -> None:
        seen["body"] = (await receive())["body"]
        seen["length"] = dict(scope["headers"])[b"content-length"]

    body = json.dumps({"messages": [{"role": "assistant", "content": None}]}).encode()
    parts = [body[:10], body[10:]]

    async def receive() -> dict[str, Any]:
        part = parts.pop(0)
        return {"type": "http.request", "body": part, "more_body": bool(parts)}

    scope = {
        "type": "http",
        "path": "/v1/chat/completions",
        "headers": [(b"content-length", str(len(body)).encode())],
    }
    await ChatRequestRepair(app)(scope, receive, None)  # type: ignore[arg-type]
    assert json.loads(seen["body"])["messages"][0]["content"] == ""
    assert seen["length"] == str(len(seen["body"])).encode()


def test_text_streams_piece_by_piece_and_ends_with_the_models_finish_reason() -> None:
    pieces = iter(
        [
            AIMessageChunk(content="Hel"),
            AIMessageChunk(content="lo"),
            AIMessageChunk(content="", response_metadata={"finish_reason": "length"}),
        ]
    )
    chunks = list(stream_text(pieces, "m"))
    assert [c["choices"][0]["delta"].get("content") for c in chunks] == ["", "Hel", "lo", None]
    assert chunks[-1]["choices"][0]["finish_reason"] == "length"
    assert len({c["id"] for c in chunks}) == 1
