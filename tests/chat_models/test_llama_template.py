"""PromptRenderer: tool support is probed from the template, and both kinds render tools."""

from __future__ import annotations

from typing import Any

import pytest
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage, ToolMessage

from hetero_agents.chat_models._template import PromptRenderer

PLAIN = (
    "{% for m in messages %}<|{{ m['role'] }}|>{{ m['content'] }}<|end|>{% endfor %}"
    "{% if add_generation_prompt %}<|assistant|>{% endif %}"
)
TOOL_AWARE = (
    "{% if tools %}<|tools|>{% for t in tools %}{{ t['function']['name'] }};"
    "{% endfor %}<|end|>{% endif %}"
    "{% for m in messages %}<|{{ m['role'] }}|>{{ m['content'] }}"
    "{% for c in m.get('tool_calls', []) %}CALL {{ c['function']['name'] }} "
    "{{ c['function']['arguments'] | tojson }}{% endfor %}<|end|>{% endfor %}"
    "{% if add_generation_prompt %}<|assistant|>{% endif %}"
)
TOOLS: list[dict[str, Any]] = [
    {
        "type": "function",
        "function": {
            "name": "get_weather",
            "description": "Weather at a place.",
            "parameters": {"type": "object", "properties": {"city": {"type": "string"}}},
        },
    }
]


def test_tool_support_is_probed_from_the_template() -> None:
    assert PromptRenderer(TOOL_AWARE, "<s>", "</s>").native_tools
    assert not PromptRenderer(PLAIN, "<s>", "</s>").native_tools


def test_native_template_gets_the_tools_and_structured_calls() -> None:
    renderer = PromptRenderer(TOOL_AWARE, "<s>", "</s>")
    call = {"name": "get_weather", "args": {"city": "Oslo"}, "id": "c1", "type": "tool_call"}
    prompt = renderer.render(
        [
            HumanMessage("weather?"),
            AIMessage("", tool_calls=[call]),
            ToolMessage("rain", tool_call_id="c1"),
        ],
        tools=TOOLS,
    )
    assert prompt.startswith("<|tools|>get_weather;<|end|>")
    assert 'CALL get_weather {"city": "Oslo"}' in prompt
    assert prompt.endswith("<|tool|>rain<|end|><|assistant|>")


def test_plain_template_gets_tools_in_the_system_prompt() -> None:
    renderer = PromptRenderer(PLAIN, "<s>", "</s>")
    prompt = renderer.render([SystemMessage("Be brief."), HumanMessage("weather?")], tools=TOOLS)
    system = prompt.split("<|end|>")[0]
    assert system.startswith("<|system|>Be brief.\n\n")
    assert '"name": "get_weather"' in system
    assert "<tool_call>" in system
    assert "</tool_call>" in system


def test_instructions_become_a_system_message_when_there_is_none() -> None:
    renderer = PromptRenderer(PLAIN, "<s>", "</s>")
    prompt = renderer.render([HumanMessage("hi")], instructions="Reply in JSON.")
    assert prompt == "<|system|>Reply in JSON.<|end|><|user|>hi<|end|><|assistant|>"


def test_template_errors_become_value_errors() -> None:
    strict = "{{ raise_exception('roles must alternate') }}"
    renderer = PromptRenderer(strict, "<s>", "</s>")
    with pytest.raises(ValueError, match="chat template rejected the conversation: roles must"):
        renderer.render([HumanMessage("hi")])


@pytest.mark.model
def test_smollm2_template_has_no_tool_support(smollm2_llama: Any) -> None:
    renderer = PromptRenderer.for_llama(smollm2_llama)
    assert not renderer.native_tools
    prompt = renderer.render([HumanMessage("hi")])
    assert prompt.endswith("<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n")
