"""Training sequences: the answer format ChatLlamaCpp generates, the prompt it reads."""

from __future__ import annotations

from pathlib import Path

import pytest
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage, message_to_dict

from hetero_agents.chat_models._tool_scanner import ToolCallScanner
from hetero_agents.pipeline._train_data import (
    IGNORE_INDEX,
    ChatEncoder,
    answer_segments,
    grammar_ordered,
)
from hetero_agents.pipeline.records import Example

TOOLS = [
    {
        "type": "function",
        "function": {
            "name": "lookup_order",
            "description": "Find an order by id.",
            "parameters": {
                "type": "object",
                "properties": {
                    "verbose": {"type": "boolean"},
                    "order_id": {"type": "integer"},
                    "filters": {
                        "type": "object",
                        "properties": {"b": {"type": "string"}, "a": {"type": "string"}},
                        "required": ["a"],
                    },
                },
                "required": ["order_id"],
            },
        },
    }
]


def _call(args: dict[str, object], name: str = "lookup_order") -> dict[str, object]:
    return {"name": name, "args": args, "id": "call_1", "type": "tool_call"}


def _text(segments: list[tuple[str, bool]]) -> str:
    return "".join(text for text, _ in segments)


def test_arguments_follow_the_grammars_order() -> None:
    schema = TOOLS[0]["function"]["parameters"]
    args = {"verbose": True, "extra": 1, "filters": {"b": "x", "a": "y"}, "order_id": 7}
    ordered = grammar_ordered(args, schema)
    assert list(ordered) == ["order_id", "verbose", "filters", "extra"]
    assert list(ordered["filters"]) == ["a", "b"]
    assert grammar_ordered(args, None) == args


def test_one_call_ends_at_its_closing_brace() -> None:
    message = AIMessage("", tool_calls=[_call({"verbose": False, "order_id": 42})])
    segments = answer_segments(message, TOOLS)
    assert _text(segments) == (
        '<tool_call>\n{"name": "lookup_order", "arguments": {"order_id": 42, "verbose": false}}'
    )
    assert ("<tool_call>", True) in segments  # markup is tokenised as special text


def test_several_calls_and_text_parse_back_to_the_same_calls() -> None:
    calls = [_call({"order_id": 1}), _call({"order_id": 2, "verbose": True})]
    message = AIMessage("Checking both.", tool_calls=calls)
    text = _text(answer_segments(message, TOOLS))
    assert text.startswith("Checking both.\n<tool_call>\n")
    assert text.count("</tool_call>") == 2  # the parallel grammar closes every call
    parsed = ToolCallScanner().feed(text)
    assert [(c.name, c.args) for c in parsed] == [(c["name"], c["args"]) for c in calls]


def test_plain_text_answer_is_kept_verbatim() -> None:
    assert answer_segments(AIMessage("ZQX-12 {not a call}")) == [("ZQX-12 {not a call}", False)]


def _example(messages: list[object], response: AIMessage, tools: list[dict] | None) -> Example:
    return Example(
        call_id="c",
        text="",
        messages=[message_to_dict(m) for m in messages],  # type: ignore[arg-type]
        tools=tools,
        response=message_to_dict(response),
        split="train",
        group="g",
    )


@pytest.mark.model
@pytest.mark.parametrize("with_tools", [True, False])
def test_prompt_is_token_for_token_what_chat_llama_cpp_evaluates(
    smollm2_path: Path, with_tools: bool
) -> None:
    from hetero_agents import ChatLlamaCpp

    messages = [SystemMessage("You track parcels."), HumanMessage("Where is order 42?")]
    response = (
        AIMessage("", tool_calls=[_call({"order_id": 42})]) if with_tools else AIMessage("Hi")
    )
    example = _example(messages, response, TOOLS if with_tools else None)
    encoder = ChatEncoder(smollm2_path)
    encoded = encoder.encode(example)

    chat = ChatLlamaCpp(model_path=str(smollm2_path), n_threads=1, max_tokens=1)
    runnable = chat.bind_tools(TOOLS) if with_tools else chat
    usage = runnable.invoke(example.to_messages()).usage_metadata
    n_prompt = next(i for i, label in enumerate(encoded.labels) if label != IGNORE_INDEX)
    assert usage is not None
    assert usage["input_tokens"] == n_prompt
    assert list(chat.llama.input_ids[:n_prompt]) == encoded.input_ids[:n_prompt]

    answer = encoded.input_ids[n_prompt:]
    assert encoded.labels[n_prompt:] == answer  # loss on every answer token ...
    assert set(encoded.labels[:n_prompt]) == {IGNORE_INDEX}  # ... and on nothing else
    assert answer[-1] == encoder.eos_id
    text = bytes(chat.llama.detokenize(answer[:-1], special=True)).decode()
    assert text == _text(answer_segments(example.response_message(), example.tools))
