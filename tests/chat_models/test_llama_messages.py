"""Conversations to template dicts: native tool rendering, inline fallback, text-only."""

from __future__ import annotations

import json

import pytest
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage, ToolMessage

from hetero_agents.chat_models._messages import message_text, to_template_messages

CALL = {"name": "add", "args": {"a": 1, "b": 2}, "id": "call_1", "type": "tool_call"}
HISTORY = [
    SystemMessage("be brief"),
    HumanMessage("1+2?"),
    AIMessage("", tool_calls=[CALL]),
    ToolMessage("3", tool_call_id="call_1", name="add"),
    ToolMessage("also 3", tool_call_id="call_2"),
    AIMessage("It is 3."),
]


def test_native_rendering_keeps_tool_calls_and_tool_messages_structured() -> None:
    out = to_template_messages(HISTORY, native_tools=True)
    assert [m["role"] for m in out] == ["system", "user", "assistant", "tool", "tool", "assistant"]
    assert out[2]["tool_calls"] == [
        {
            "type": "function",
            "id": "call_1",
            "function": {"name": "add", "arguments": {"a": 1, "b": 2}},
        }
    ]
    assert out[3] == {"role": "tool", "content": "3", "tool_call_id": "call_1", "name": "add"}


def test_inline_rendering_writes_calls_and_results_as_text() -> None:
    out = to_template_messages(HISTORY, native_tools=False)
    assert [m["role"] for m in out] == ["system", "user", "assistant", "user", "assistant"]
    call_text = out[2]["content"]
    assert call_text.startswith("<tool_call>\n")
    assert call_text.endswith("\n</tool_call>")
    assert json.loads(call_text.splitlines()[1]) == {"name": "add", "arguments": {"a": 1, "b": 2}}
    # consecutive tool results become one user turn
    assert out[3]["content"] == (
        "<tool_response>\n3\n</tool_response>\n<tool_response>\nalso 3\n</tool_response>"
    )
    assert all(set(m) == {"role", "content"} for m in out)


def test_inline_rendering_keeps_text_before_calls() -> None:
    out = to_template_messages([AIMessage("Let me add.", tool_calls=[CALL])], native_tools=False)
    assert out[0]["content"].startswith("Let me add.\n<tool_call>\n")


def test_list_content_keeps_text_and_skips_tool_use_blocks() -> None:
    content = [
        {"type": "text", "text": "some "},
        "text",
        {"type": "tool_use", "id": "x", "name": "add", "input": {}},
        {"type": "reasoning", "reasoning": "hidden"},
    ]
    assert message_text(content) == "some text"


@pytest.mark.parametrize("kind", ["image_url", "image", "audio", "file"])
def test_non_text_content_is_refused_with_advice(kind: str) -> None:
    with pytest.raises(ValueError, match=f"text-only and cannot take a '{kind}'"):
        to_template_messages([HumanMessage([{"type": kind}])], native_tools=True)
