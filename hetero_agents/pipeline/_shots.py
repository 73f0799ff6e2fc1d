"""How shots become chat turns: the transformation behind few-shot prompting.

See :mod:`hetero_agents.pipeline.fewshot` for why shots are prior turns.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, ToolMessage

if TYPE_CHECKING:
    from hetero_agents.pipeline.records import Example

DEFAULT_SHOT_TOKENS = 768
"""Token budget of all shots together: a third of a 2048-token context at most."""

TOOL_RESULT_PLACEHOLDER = "(tool result not shown in this example)"
"""Content of the tool turn that closes a shot's tool call.

The tool's output is not part of a curated example, but chat formats (OpenAI's,
and most chat templates) require every assistant tool call to be answered by a
tool message before the next user turn.
"""

_CHARS_PER_TOKEN = 3
_TURN_OVERHEAD = 4  # role markers and separators of one chat-template turn


def shot_turns(
    shots: Sequence[Example], *, max_tokens: int = DEFAULT_SHOT_TOKENS
) -> list[BaseMessage]:
    """The prior turns that show ``shots`` to a model, within ``max_tokens`` (estimated).

    Shots are taken in order; one that would overflow the budget is skipped and
    a later, shorter one may still fit. Tool-call ids are renamed
    (``shot1_call0``) so they never collide with the live conversation's.
    """
    turns: list[BaseMessage] = []
    used = 0
    for number, shot in enumerate(shots, start=1):
        messages = _shot_messages(shot, number)
        cost = sum(estimate_tokens(message) for message in messages)
        if used + cost > max_tokens:
            continue
        turns.extend(messages)
        used += cost
    return turns


def insert_turns(request: Sequence[BaseMessage], turns: Sequence[BaseMessage]) -> list[BaseMessage]:
    """``request`` with ``turns`` placed after its leading system messages."""
    if not turns:
        return list(request)
    head = 0
    while head < len(request) and request[head].type == "system":
        head += 1
    return [*request[:head], *turns, *request[head:]]


def estimate_tokens(message: BaseMessage) -> int:
    """A cheap upper-leaning estimate of a message's tokens (no tokenizer needed)."""
    size = len(message.text)
    if isinstance(message, AIMessage):
        size += sum(len(c["name"]) + len(json.dumps(c["args"])) for c in message.tool_calls)
    return size // _CHARS_PER_TOKEN + _TURN_OVERHEAD


def _shot_messages(shot: Example, number: int) -> list[BaseMessage]:
    """One shot's turns, with fresh ids and clean assistant messages."""
    request = shot.to_messages()
    start = max(
        (i for i, m in enumerate(request) if m.type == "human"),
        default=next((i for i, m in enumerate(request) if m.type != "system"), len(request)),
    )
    renamed: dict[str, str] = {}
    counter = itertools.count()
    out: list[BaseMessage] = []
    for message in [*request[start:], shot.response_message()]:
        if message.type == "system":
            continue
        if isinstance(message, AIMessage):
            out.append(_clean_ai(message, number, renamed, counter))
        elif isinstance(message, ToolMessage):
            call_id = renamed.get(message.tool_call_id, message.tool_call_id)
            out.append(ToolMessage(content=message.content, tool_call_id=call_id))
        elif isinstance(message, HumanMessage):
            out.append(HumanMessage(content=message.content))
        else:
            out.append(message.model_copy(update={"id": None}))
    last = out[-1] if out else None
    if isinstance(last, AIMessage):
        out.extend(
            ToolMessage(content=TOOL_RESULT_PLACEHOLDER, tool_call_id=call["id"] or "")
            for call in last.tool_calls
        )
    return out


def _clean_ai(
    message: AIMessage, number: int, renamed: dict[str, str], counter: Iterator[int]
) -> AIMessage:
    """The assistant turn without usage, metadata or provider ids; call ids renamed."""
    calls = []
    for call in message.tool_calls:
        new_id = f"shot{number}_call{next(counter)}"
        if call["id"]:
            renamed[call["id"]] = new_id
        calls.append({"name": call["name"], "args": call["args"], "id": new_id})
    return AIMessage(content=message.content, tool_calls=calls)
