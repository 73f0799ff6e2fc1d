"""Snapshots of messages: frozen to JSON when nothing needs redacting, copied otherwise."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from capture_fakes import CountingRedactor
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage, ToolMessage

from hetero_agents.logs._redact_cache import CleanTexts
from hetero_agents.logs._snapshot import freeze_message, snapshot_message, thaw
from hetero_agents.redaction import DefaultRedactor, RedactionScope


def _scope() -> RedactionScope:
    return CleanTexts().scope(DefaultRedactor())


class _Opaque:
    """Not JSON: a copy writes its text, which must then be redacted."""

    def __str__(self) -> str:
        return "owner dave@example.com"


CLEAN: list[BaseMessage] = [
    SystemMessage("You extract fields from support messages."),
    HumanMessage("Where is order 48213? It was due on Monday."),
    HumanMessage([{"type": "text", "text": "What is in this picture?"}, {"type": "image"}]),
    AIMessage("It ships today.", additional_kwargs={"refusal": None}, id="run-1"),
    AIMessage(
        "",
        tool_calls=[{"name": "track", "args": {"order": "48213", "rush": True}, "id": "t1"}],
        usage_metadata={"input_tokens": 7, "output_tokens": 3, "total_tokens": 10},
        response_metadata={"model_name": "gpt-4o-mini", "finish_reason": "tool_calls"},
    ),
    ToolMessage("in transit", tool_call_id="t1", artifact={"stops": [1, 2.5, None]}),
]

WITH_SOMETHING_TO_REDACT: list[BaseMessage] = [
    HumanMessage("Mail carol@example.com about order 48213."),
    HumanMessage([{"type": "text", "text": "Call +1 415 555 0100 please."}]),
    AIMessage("", tool_calls=[{"name": "mail", "args": {"to": "carol@example.com"}, "id": "t2"}]),
    AIMessage("done", additional_kwargs={"owner": _Opaque()}),  # its text has an email
    AIMessage("done", additional_kwargs={"ids": ("a", "b")}),  # a tuple: not plain JSON
]


@pytest.mark.parametrize("message", CLEAN, ids=lambda m: m.__class__.__name__)
def test_a_message_with_nothing_to_redact_is_frozen_as_the_copy_would_be(
    message: BaseMessage,
) -> None:
    frozen = freeze_message(message, _scope())
    assert isinstance(frozen, bytes)
    assert thaw(frozen) == snapshot_message(message, _scope())


@pytest.mark.parametrize("message", WITH_SOMETHING_TO_REDACT, ids=lambda m: repr(m.content)[:20])
def test_a_message_with_something_to_redact_is_copied_and_redacted(message: BaseMessage) -> None:
    snapshot = freeze_message(message, _scope())
    assert isinstance(snapshot, dict)
    assert snapshot == snapshot_message(message, _scope())
    text = str(snapshot)
    assert "carol@example.com" not in text
    assert "dave@example.com" not in text
    assert "555 0100" not in text


def test_a_text_to_redact_is_scanned_once_and_numbered_as_before() -> None:
    counting = CountingRedactor()
    scope = CleanTexts().scope(counting)
    first = "Write to bob@example.org, not carol@example.com."
    second = HumanMessage("And copy carol@example.com.")
    snapshots = [freeze_message(HumanMessage(first), scope), freeze_message(second, scope)]
    contents: list[Any] = [thaw(s)["data"]["content"] for s in snapshots]
    assert contents == ["Write to <EMAIL_1>, not <EMAIL_2>.", "And copy <EMAIL_2>."]
    assert counting.scans.count(first) == 1  # checked, then copied without a second scan


def test_a_queued_draft_no_longer_holds_what_was_redacted(tmp_path: Path) -> None:
    from uuid import uuid4

    from langchain_core.outputs import ChatGeneration, LLMResult

    from hetero_agents.logs import CallLogger

    queued: list[Any] = []
    logger = CallLogger(tmp_path / "logs.db")
    logger._recorder.writer = type("Held", (), {"submit": lambda _s, t, r: queued.append(r)})()
    run_id = uuid4()
    request: list[list[BaseMessage]] = [[HumanMessage("Mail carol@example.com about it.")]]
    logger.on_chat_model_start({}, request, run_id=run_id)
    logger.on_llm_end(
        LLMResult(generations=[[ChatGeneration(message=AIMessage("ok"))]]), run_id=run_id
    )
    (draft,) = queued
    held = draft.scope
    assert held is not None  # redaction worked: content is recorded
    assert held._inner is None  # the clear text stays behind: placeholders...
    assert held._changed is None  # ...and the texts they replaced
    assert "carol" not in str(draft.messages)
    logger.close()


def test_the_writer_reads_frozen_and_copied_snapshots_alike() -> None:
    from hetero_agents.logs._encode import dumps_json
    from hetero_agents.logs._snapshot import prompt_text, snapshot_type, snapshots_json

    class Quoted(HumanMessage):
        type: str = 'say "hi"'  # type: ignore[assignment]  # no real class has one

    conversation: list[BaseMessage] = [
        *CLEAN,
        HumanMessage("Thanks. Mail carol@example.com the tracking link."),  # copied
        Quoted(content="and one more thing"),
    ]
    scope = _scope()
    snapshots = [freeze_message(message, scope) for message in conversation]
    assert {type(snapshot) for snapshot in snapshots} == {bytes, dict}
    assert [snapshot_type(s) for s in snapshots] == [m.type for m in conversation]
    assert snapshots_json(snapshots) == dumps_json([thaw(s) for s in snapshots])
    # The new input of the call: what came after the model's last turn (the AIMessage in CLEAN).
    assert prompt_text(snapshots) == (
        "in transit\nThanks. Mail <EMAIL_1> the tracking link.\nand one more thing"
    )
