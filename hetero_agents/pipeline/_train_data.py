"""Training sequences that are token for token what ``ChatLlamaCpp`` sees and says.

A LoRA only helps at inference if it was trained on the exact text the served
model reads and writes. So nothing here formats a prompt of its own: the prompt
is rendered by ``ChatLlamaCpp``'s :class:`PromptRenderer` (the GGUF's own chat
template, with tools shown natively or inline just as at inference) and tokenised
by llama.cpp from the same GGUF. The answer is laid out the way ``ChatLlamaCpp``'s
tool-call grammar makes the model write it:

* free text as is;
* one tool call as ``<tool_call>``, a newline, ``{"name": ..., "arguments": {...}}`` and then the
  end-of-turn token (the single-call grammar ends at the closing brace);
* several calls each closed with ``</tool_call>`` (the parallel-call grammar);
* arguments in the order the grammar allows: required properties first, then the
  optional ones, each group in schema order (llama.cpp's schema converter).

The loss covers only the answer and its end-of-turn token.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from langchain_core.messages import AIMessage, BaseMessage

from hetero_agents._extras import require
from hetero_agents.chat_models._grammar import TOOL_CALL_CLOSE, TOOL_CALL_OPEN
from hetero_agents.chat_models._messages import message_text
from hetero_agents.chat_models._template import PromptRenderer
from hetero_agents.pipeline.records import Example

#: Label of tokens that carry no loss (the value PyTorch's cross-entropy ignores).
IGNORE_INDEX = -100

#: A piece of answer text and whether it is markup to tokenise as special tokens.
Segment = tuple[str, bool]


@dataclass(frozen=True, slots=True)
class Encoded:
    """One training sequence: prompt then answer, and the labels to learn."""

    input_ids: list[int]
    labels: list[int]

    @property
    def n_answer(self) -> int:
        """Tokens that carry loss."""
        return sum(label != IGNORE_INDEX for label in self.labels)


def grammar_ordered(args: Mapping[str, Any], schema: Mapping[str, Any] | None) -> dict[str, Any]:
    """``args`` reordered as the tool-call grammar emits them (nested objects too).

    Keys the schema does not declare keep their place after the declared ones.
    """
    properties = (schema or {}).get("properties")
    if not isinstance(properties, Mapping):
        return dict(args)
    required = set((schema or {}).get("required") or ())
    declared = list(properties)
    order = [k for k in declared if k in required] + [k for k in declared if k not in required]
    keys = [k for k in order if k in args] + [k for k in args if k not in properties]
    out: dict[str, Any] = {}
    for key in keys:
        value, sub = args[key], properties.get(key)
        if isinstance(value, Mapping) and isinstance(sub, Mapping):
            value = grammar_ordered(value, sub)
        out[key] = value
    return out


def answer_segments(
    message: AIMessage, tools: Sequence[Mapping[str, Any]] | None = None
) -> list[Segment]:
    """The answer ``message`` as the text segments ``ChatLlamaCpp`` would generate.

    Args:
        message: The LLM's answer (text, tool calls, or both).
        tools: The OpenAI tools bound to the request, whose schemas fix the
            argument order.
    """
    schemas = {
        tool["function"]["name"]: tool["function"].get("parameters")
        for tool in tools or ()
        if isinstance(tool.get("function"), Mapping)
    }
    segments: list[Segment] = []
    text = message_text(message.content)
    if text:
        segments.append((text, False))
    calls = message.tool_calls
    for call in calls:
        args = grammar_ordered(call["args"], schemas.get(call["name"]))
        payload = json.dumps({"name": call["name"], "arguments": args}, ensure_ascii=False)
        if segments:
            segments.append(("\n", False))
        segments.append((TOOL_CALL_OPEN, True))
        segments.append(("\n" + payload, False))
        if len(calls) > 1:
            segments.append(("\n", False))
            segments.append((TOOL_CALL_CLOSE, True))
    return segments


class ChatEncoder:
    """Encodes examples for one GGUF, through ``ChatLlamaCpp``'s own renderer.

    Only the GGUF's vocabulary is loaded (``vocab_only``), which takes a fraction of
    a second and no weights.

    Args:
        model_path: The base model's GGUF.
        chat_template: The same override the serving ``ChatLlamaCpp`` uses, if any.

    Raises:
        MissingExtraError: llama-cpp-python (extra ``local``) is not installed.
    """

    def __init__(self, model_path: Path, chat_template: str | None = None) -> None:
        llama_cpp = require("llama_cpp", "local")
        self._llama = llama_cpp.Llama(model_path=str(model_path), vocab_only=True, verbose=False)
        self._renderer = PromptRenderer.for_llama(self._llama, chat_template)
        self.eos_id = int(self._llama.token_eos())
        self.architecture = str(self._llama.metadata.get("general.architecture", ""))

    def tokenize(self, text: str, *, special: bool) -> list[int]:
        """Tokenise as ``ChatLlamaCpp``'s decoder does (no BOS: templates write their own)."""
        return list(self._llama.tokenize(text.encode("utf-8"), add_bos=False, special=special))

    def prompt_ids(
        self, messages: Sequence[BaseMessage], tools: Sequence[dict[str, Any]] | None
    ) -> list[int]:
        """The token ids ``ChatLlamaCpp`` evaluates before answering ``messages``."""
        text = self._renderer.render(messages, tools=list(tools) if tools else None)
        return self.tokenize(text, special=True)

    def encode(self, example: Example) -> Encoded:
        """Prompt plus the LLM's answer, with loss on the answer only.

        Raises:
            ValueError: The conversation holds non-text content, or the chat template
                rejects it.
        """
        prompt = self.prompt_ids(example.to_messages(), example.tools)
        answer: list[int] = []
        for text, special in answer_segments(example.response_message(), example.tools):
            answer += self.tokenize(text, special=special)
        answer.append(self.eos_id)
        return Encoded(prompt + answer, [IGNORE_INDEX] * len(prompt) + answer)
