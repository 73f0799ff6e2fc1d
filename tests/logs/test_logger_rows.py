"""What one recorded call holds: content, metadata-only mode, route, cost, errors, nesting."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import pytest
from capture_fakes import ScriptedChatModel, usage
from langchain_core.callbacks import CallbackManager, CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.language_models.fake import FakeListLLM
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from langchain_core.runnables import RunnableConfig

from hetero_agents.logs import CallLogger, CaptureWarning, NoRedaction, Price, PriceTable

ROUTE = {
    "tier": "slm",
    "model": "qwen2.5-coder-0.5b",
    "policy": "cascade",
    "score": 0.82,
    "reason": "validated",
    "escalated": False,
    "escalation_reason": None,
    "task": "extract",
}


def _answer(text: str = "ok", **metadata: Any) -> ScriptedChatModel:
    return ScriptedChatModel(
        respond=lambda _m: AIMessage(text, usage_metadata=usage(10, 5), response_metadata=metadata)
    )


def _only_call(logger: CallLogger) -> Any:
    assert logger.flush(timeout=10)
    (call,) = list(logger.store.calls())
    return call


def test_request_and_response_are_lossless_and_redacted(logger: CallLogger) -> None:
    model = _answer("Call me at +1 415 555 0100.")
    messages: list[BaseMessage] = [
        SystemMessage("You extract contacts."),
        HumanMessage("Mail bob@example.org, key sk-proj-abcdefghijklmnopqrstuvwxyz0123456789AB"),
    ]
    model.invoke(messages, {"callbacks": [logger], "metadata": {"user": "bob@example.org"}})
    call = _only_call(logger)
    assert call.messages is not None
    assert [m["type"] for m in call.messages] == ["system", "human"]
    human = call.messages[1]["data"]["content"]
    assert "bob@example.org" not in human
    assert "<EMAIL_1>" in human
    assert "sk-proj" not in human
    assert call.metadata == {"user": "<EMAIL_1>"}  # same scope, same placeholder
    assert call.prompt == human  # the new input of the call, not the system prompt
    assert "555" not in (call.response or "")
    assert call.to_messages()[0] == SystemMessage("You extract contacts.")
    assert call.response_to_message() is not None
    assert call.provider == "scripted"
    assert call.model == "scripted-model"
    assert call.finish_reason == "stop"


def test_no_redaction_is_an_explicit_opt_out(db_path: Path) -> None:
    with CallLogger(db_path, redactor=NoRedaction()) as logger:
        _answer().invoke("mail bob@example.org", {"callbacks": [logger]})
        assert _only_call(logger).prompt == "mail bob@example.org"


def test_metadata_only_mode_records_no_content(db_path: Path) -> None:
    with CallLogger(db_path, capture_content=False) as logger:
        _answer("secret answer").invoke("secret question", {"callbacks": [logger]})
        call = _only_call(logger)
    assert call.content_captured is False
    for field in ("messages", "tools", "prompt", "response", "tool_calls", "response_message"):
        assert getattr(call, field) is None, field
    assert call.input_tokens == 10
    assert call.output_tokens == 5
    assert call.duration_ms is not None
    assert call.model == "scripted-model"
    raw = b"".join(p.read_bytes() for p in db_path.parent.glob("logs.db*"))
    assert b"secret" not in raw


def test_router_decision_and_node_metadata_fill_the_route_columns(logger: CallLogger) -> None:
    model = _answer(hetero=ROUTE)
    metadata = {"hetero_task": "from-node", "hetero_tier": "llm", "langgraph_node": "extract"}
    model.invoke("hi", {"callbacks": [logger], "metadata": metadata})
    call = _only_call(logger)
    assert call.route == ROUTE
    assert (call.tier, call.model, call.task) == ("slm", "qwen2.5-coder-0.5b", "extract")
    assert call.node == "extract"
    row = logger.store.db.execute(
        "SELECT route_policy, route_score, route_reason, escalated FROM calls"
    ).fetchone()
    assert row == ("cascade", 0.82, "validated", 0)
    # The slm tier is priced as local hardware: zero by default.
    assert call.cost_usd == 0.0


def test_node_tier_and_task_are_recorded_without_a_router(logger: CallLogger) -> None:
    metadata = {"hetero_task": "classify", "hetero_tier": "llm"}
    _answer().invoke("hi", {"callbacks": [logger], "metadata": metadata})
    call = _only_call(logger)
    assert (call.task, call.tier, call.route) == ("classify", "llm", None)


def test_cost_uses_the_price_table_and_the_served_model(db_path: Path) -> None:
    prices = PriceTable({"scripted-model": Price(2.0, 8.0)}, local=Price(0.1, 0.1))
    with CallLogger(db_path, prices=prices) as logger:
        _answer().invoke("hi", {"callbacks": [logger]})
        _answer(model_name="gpt-4o-mini-2024-07-18").invoke("hi", {"callbacks": [logger]})
        _answer(hetero={**ROUTE, "model": "smollm2-135m"}).invoke("hi", {"callbacks": [logger]})
        logger.flush()
        costs = [c.cost_usd for c in logger.store.calls()]
    assert costs == pytest.approx([(10 * 2 + 5 * 8) / 1e6, (10 * 0.15 + 5 * 0.6) / 1e6, 1.5e-6])


def test_a_failed_call_is_recorded_with_its_error(logger: CallLogger) -> None:
    model = ScriptedChatModel(respond=lambda _m: AIMessage("x"), fail_with=TimeoutError)
    with pytest.raises(TimeoutError):
        model.invoke("hi", {"callbacks": [logger]})
    call = _only_call(logger)
    assert (call.status, call.error_type) == ("error", "TimeoutError")
    assert call.error == "scripted failure for <EMAIL_1>"
    assert call.response is None


def test_a_completion_model_prompt_is_recorded_as_a_human_message(logger: CallLogger) -> None:
    FakeListLLM(responses=["pong"]).invoke("ping", {"callbacks": [logger]})
    call = _only_call(logger)
    assert call.to_messages() == [HumanMessage("ping")]
    assert call.response == "pong"


class _Wrapper(BaseChatModel):
    """A chat model that calls two others, as a router's cascade does."""

    first: BaseChatModel
    second: BaseChatModel

    @property
    def _llm_type(self) -> str:
        return "wrapper"

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        child = None
        if run_manager is not None:  # the inner calls run as children of this one
            child = CallbackManager(
                handlers=run_manager.inheritable_handlers,
                inheritable_handlers=run_manager.inheritable_handlers,
                parent_run_id=run_manager.run_id,
            )
        config: RunnableConfig = {"callbacks": child}
        self.first.invoke(messages, config)
        answer = self.second.invoke(messages, config)
        return ChatResult(generations=[ChatGeneration(message=answer)])


def test_calls_made_inside_a_call_are_nested_and_not_counted_twice(db_path: Path) -> None:
    prices = PriceTable({"a": Price(1, 1), "b": Price(10, 10), "wrapper": Price(100, 100)})
    wrapper = _Wrapper(
        first=ScriptedChatModel(
            respond=lambda _m: AIMessage("a", usage_metadata=usage(1, 1)), model_name="a"
        ),
        second=ScriptedChatModel(
            respond=lambda _m: AIMessage("b", usage_metadata=usage(2, 2)), model_name="b"
        ),
    )
    with CallLogger(db_path, prices=prices) as logger:
        wrapper.invoke("hi", {"callbacks": [logger]})
        logger.flush()
        calls = list(logger.store.calls())
        stats = logger.store.stats()
    (outer,) = [c for c in calls if c.parent_call_id is None]
    inner = [c for c in calls if c.parent_call_id is not None]
    assert outer.n_children == 2
    assert [c.model for c in inner] == ["a", "b"]
    assert {c.parent_call_id for c in inner} == {outer.id}
    assert outer.model == "b"  # the response says which model served it
    assert stats.total.calls == 1  # one logical call...
    assert stats.total.input_tokens == 3  # ...whose tokens are its inner calls'
    assert stats.total.cost_usd == pytest.approx((1 * 2 + 10 * 4) / 1e6)


def test_a_failing_redactor_is_counted_and_warned_once_never_raised(db_path: Path) -> None:
    class Broken:
        def scope(self) -> Any:
            raise RuntimeError("redactor exploded")

    with CallLogger(db_path, redactor=Broken()) as logger:
        model = _answer()
        with pytest.warns(CaptureWarning, match="recording a call failed"):
            assert model.invoke("hi", {"callbacks": [logger]}).content == "ok"
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # a second failure must not warn again
            assert model.invoke("hi", {"callbacks": [logger]}).content == "ok"
        assert logger.health.counts() == {"handler_errors": 2}
        logger.flush()
        health = logger.store.health()
    assert health["handler_errors"].count == 2
    assert "redactor exploded" in (health["handler_errors"].last_message or "")


def test_thread_id_comes_from_metadata_or_the_enclosing_config(logger: CallLogger) -> None:
    from langchain_core.runnables import RunnableLambda

    model = _answer()
    model.invoke("a", {"callbacks": [logger], "metadata": {"thread_id": "from-metadata"}})
    chain = RunnableLambda(lambda text, config: model.invoke(text, config))
    chain.invoke("b", {"callbacks": [logger], "configurable": {"thread_id": "from-config"}})
    model.invoke("c", {"callbacks": [logger]})
    logger.flush()
    assert [c.thread_id for c in logger.store.calls()] == ["from-metadata", "from-config", None]


def _held_back(logger: CallLogger) -> list[tuple[str, Any]]:
    """Keep what the logger queues from the writer, to hand it over at a chosen moment."""
    queued: list[tuple[str, Any]] = []
    logger._recorder.writer = type("Held", (), {"submit": lambda _s, t, r: queued.append((t, r))})()
    return queued


def test_what_is_logged_is_what_the_callbacks_saw_not_later_changes(logger: CallLogger) -> None:
    from uuid import uuid4

    from langchain_core.outputs import LLMResult

    queued = _held_back(logger)
    request = [HumanMessage("Where is order 48213?", additional_kwargs={"k": "v"})]
    answer = AIMessage(
        "It ships today.",
        usage_metadata=usage(7, 3),
        response_metadata={"model_name": "gpt-4o-mini", "finish_reason": "stop"},
        tool_calls=[{"name": "track", "args": {"order": "48213"}, "id": "t1"}],
    )
    run_id = uuid4()
    metadata = {"langgraph_node": "support", "user": "carol"}
    logger.on_chat_model_start({}, [request], run_id=run_id, metadata=metadata)
    logger.on_llm_end(LLMResult(generations=[[ChatGeneration(message=answer)]]), run_id=run_id)
    # The agent changes everything it handed over once the callbacks have returned...
    request[0].content = "changed"
    request[0].additional_kwargs["k"] = "changed"
    answer.content = "changed"
    answer.response_metadata["model_name"] = "changed"
    answer.tool_calls[0]["args"]["order"] = "changed"
    assert answer.usage_metadata is not None
    answer.usage_metadata["input_tokens"] = 999
    metadata["langgraph_node"] = metadata["user"] = "changed"
    # ...and only then does the writer shape the row.
    for table, draft in queued:
        logger._writer.submit(table, draft)
    call = _only_call(logger)
    assert call.messages is not None
    assert call.messages[0]["data"]["content"] == "Where is order 48213?"
    assert call.messages[0]["data"]["additional_kwargs"] == {"k": "v"}
    assert (call.response, call.model, call.input_tokens) == ("It ships today.", "gpt-4o-mini", 7)
    assert call.tool_calls == [
        {"name": "track", "args": {"order": "48213"}, "id": "t1", "type": "tool_call"}
    ]
    assert (call.node, call.metadata) == ("support", {"user": "carol"})


def test_a_row_that_cannot_be_shaped_is_kept_with_its_metadata(logger: CallLogger) -> None:
    from uuid import uuid4

    from langchain_core.outputs import LLMResult

    class Unprintable:
        def __str__(self) -> str:
            raise RuntimeError("no text for this value")

    run_id = uuid4()
    params = {"_type": "scripted", "odd": Unprintable()}  # options are written as JSON: fails
    answer = LLMResult(generations=[[ChatGeneration(message=AIMessage("ok"))]])

    def record() -> Any:  # the writer shapes the row, fails, and keeps what it can
        request = [[HumanMessage("hi")]]
        logger.on_chat_model_start({}, request, run_id=run_id, invocation_params=params)
        logger.on_llm_end(answer, run_id=run_id)
        return _only_call(logger)

    with pytest.warns(CaptureWarning, match="recording a call failed"):
        call = record()
    assert (call.run_id, call.status, call.content_captured) == (str(run_id), "ok", False)
    assert call.duration_ms is not None
    assert call.messages is None
    assert logger.health.counts() == {"handler_errors": 1}
