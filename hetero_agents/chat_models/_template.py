"""Rendering a conversation with the GGUF's own chat template.

A model answers best in the exact format it was fine-tuned on, which its GGUF
carries as a Jinja template (``tokenizer.chat_template``). Whether that template
knows about tools is found out by rendering a probe tool and looking for its name in
the output, rather than by guessing from the model's name. Templates that do not
(SmolLM2's) get the tool list and the call format in the system prompt instead.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from langchain_core.messages import BaseMessage

from hetero_agents._extras import require
from hetero_agents.chat_models._grammar import TOOL_CALL_CLOSE, TOOL_CALL_OPEN
from hetero_agents.chat_models._messages import to_template_messages

#: Used when a GGUF has no template of its own (ChatML, the most common format).
CHATML_TEMPLATE = (
    "{% for message in messages %}"
    "{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>\\n' }}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}"
)

_PROBE_NAME = "hetero_agents_probe_tool_7f3a"
_PROBE_TOOL = {
    "type": "function",
    "function": {"name": _PROBE_NAME, "description": "probe", "parameters": {"type": "object"}},
}


def inline_tools_prompt(tools: Sequence[dict[str, Any]]) -> str:
    """System-prompt text that lists ``tools`` and shows the call format.

    Worded after the Hermes/Qwen convention (signatures in ``<tools>`` tags, calls in
    ``<tool_call>`` tags) because instruction-tuned models have seen it most; on
    SmolLM2-135M it picks the right tool more often than a plain list does.
    """
    specs = "\n".join(json.dumps(tool, ensure_ascii=False) for tool in tools)
    return (
        "You are a function calling AI model. Function signatures are inside "
        f"<tools></tools> tags:\n<tools>\n{specs}\n</tools>\n"
        "For each function call, return a JSON object with the function name and "
        f"arguments inside {TOOL_CALL_OPEN}{TOOL_CALL_CLOSE} tags:\n"
        f'{TOOL_CALL_OPEN}\n{{"name": <function name>, "arguments": <arguments JSON object>}}\n'
        f"{TOOL_CALL_CLOSE}"
    )


class PromptRenderer:
    """Renders conversations to prompt text with one chat template.

    Args:
        template: Jinja chat template source.
        bos_token: Text of the model's BOS token (templates may print it).
        eos_token: Text of the model's EOS token.
    """

    def __init__(self, template: str, bos_token: str, eos_token: str) -> None:
        formats = require("llama_cpp.llama_chat_format", "local")
        self._formatter = formats.Jinja2ChatFormatter(
            template=template, eos_token=eos_token, bos_token=bos_token
        )
        self.native_tools = self._probe_tools()

    @classmethod
    def for_llama(cls, llama: Any, template: str | None = None) -> PromptRenderer:
        """The renderer for a loaded model, optionally overriding its template."""
        source = template or llama.metadata.get("tokenizer.chat_template") or CHATML_TEMPLATE

        def token_text(token: int) -> str:
            if token < 0:
                return ""
            return bytes(llama.detokenize([token], special=True)).decode("utf-8", "replace")

        return cls(source, token_text(llama.token_bos()), token_text(llama.token_eos()))

    def _probe_tools(self) -> bool:
        try:
            text = self._format([{"role": "user", "content": "hi"}], [_PROBE_TOOL])
        except ValueError:
            return False
        return _PROBE_NAME in text

    def _format(self, messages: list[dict[str, Any]], tools: list[dict[str, Any]] | None) -> str:
        try:
            result = self._formatter(messages=messages, tools=tools)
        except Exception as exc:  # Jinja errors of any kind, raised by the model's template
            raise ValueError(f"the model's chat template rejected the conversation: {exc}") from exc
        return str(result.prompt)

    def render(
        self,
        messages: Sequence[BaseMessage],
        *,
        tools: Sequence[dict[str, Any]] | None = None,
        instructions: str | None = None,
    ) -> str:
        """Render ``messages`` for generation (the assistant turn is left open).

        Args:
            messages: The conversation.
            tools: OpenAI-style tools to show the model, if any.
            instructions: Extra system-prompt text (e.g. the schema for structured
                output), appended to the first system message or sent as one.

        Raises:
            ValueError: Non-text content, or the template rejects the conversation.
        """
        rendered = to_template_messages(messages, native_tools=self.native_tools)
        extra = [instructions] if instructions else []
        if tools and not self.native_tools:
            extra.append(inline_tools_prompt(tools))
        if extra:
            addition = "\n\n".join(extra)
            if rendered and rendered[0]["role"] == "system":
                head = rendered[0]["content"]
                rendered[0] = {
                    **rendered[0],
                    "content": f"{head}\n\n{addition}" if head else addition,
                }
            else:
                rendered.insert(0, {"role": "system", "content": addition})
        native = list(tools) if tools and self.native_tools else None
        return self._format(rendered, native)
