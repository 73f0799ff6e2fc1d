"""ChatRouter with scripted tiers: decisions, escalation, fallbacks, one run per call."""

from __future__ import annotations

from typing import Any

import pytest
from langchain_core.messages import AIMessage, AIMessageChunk, HumanMessage
from langchain_core.tools import tool
from pydantic import BaseModel
from routing_fakes import NoToolsChatModel, Recorder, call, raises, scripted, text

from hetero_agents.errors import ContextWindowExceeded
from hetero_agents.routing import CascadePolicy, ChatRouter, Decision, RulePolicy
from hetero_agents.routing.context import RouteContext

CONTRACT_KEYS = {
    "tier",
    "model",
    "policy",
    "score",
    "reason",
    "escalated",
    "escalation_reason",
    "task",
}


@tool
def add(a: int, b: int) -> int:
    """Add two integers."""
    return a + b


class Person(BaseModel):
    """A person."""

    name: str
    age: int


def router(slm_reply: Any, llm_reply: Any = None, **kwargs: Any) -> ChatRouter:
    llm = scripted(llm_reply or text("from the llm"), "big")
    return ChatRouter(llm=llm, slms={"tiny": scripted(slm_reply, "tiny")}, **kwargs)


def hetero(message: AIMessage) -> dict[str, Any]:
    return message.response_metadata["hetero"]


def merge(chunks: list[AIMessageChunk]) -> AIMessageChunk:
    total = chunks[0]
    for chunk in chunks[1:]:
        total += chunk
    return total


# --- the decision on the answer -------------------------------------------------------------


def test_every_answer_carries_the_contracted_decision_keys() -> None:
    answer = router(text("hi"), policy=RulePolicy(default="slm")).invoke("hello")
    meta = hetero(answer)
    assert set(meta) >= CONTRACT_KEYS
    assert meta["tier"] == "slm"
    assert meta["model"] == "tiny"
    assert meta["policy"] == "rule"
    assert meta["escalated"] is False
    assert meta["escalation_reason"] is None
    assert answer.text == "hi"


def test_llm_name_defaults_to_the_llms_model_name_and_can_be_set() -> None:
    default = router(text("x"), policy=RulePolicy(default="llm"))
    assert hetero(default.invoke("q"))["model"] == "big"
    named = router(text("x"), policy=RulePolicy(default="llm"), llm_name="gpt-big")
    assert hetero(named.invoke("q"))["model"] == "gpt-big"


def test_rule_policy_routes_by_task_node_and_tag_from_run_metadata() -> None:
    policy = RulePolicy(tasks={"extract": "slm"}, nodes={"plan": "llm"}, tags={"cheap": "slm"})
    r = router(text("small"), text("big"), policy=policy)
    assert hetero(r.invoke("q", {"metadata": {"hetero_task": "extract"}}))["tier"] == "slm"
    assert hetero(r.invoke("q", {"metadata": {"langgraph_node": "plan"}}))["tier"] == "llm"
    assert hetero(r.invoke("q", {"tags": ["cheap"]}))["tier"] == "slm"
    assert hetero(r.invoke("q"))["tier"] == "llm"


def test_pinned_tier_in_metadata_beats_the_policy() -> None:
    r = router(text("small"), policy=RulePolicy(default="llm"))
    meta = hetero(r.invoke("q", {"metadata": {"hetero_tier": "slm", "hetero_task": "t"}}))
    assert (meta["tier"], meta["policy"], meta["task"]) == ("slm", "pinned", "t")


def test_no_slm_means_the_llm_with_a_reason() -> None:
    r = ChatRouter(llm=scripted(text("big")))
    meta = hetero(r.invoke("q"))
    assert (meta["tier"], meta["reason"]) == ("llm", "no SLM configured")


def test_an_unknown_slm_name_escalates_instead_of_crashing() -> None:
    r = router(text("small"), policy=RulePolicy(default="slm", default_model="nope"))
    meta = hetero(r.invoke("q"))
    assert meta["tier"] == "llm"
    assert meta["escalated"] is True
    assert meta["escalation_reason"].startswith("unknown_model: 'nope'")


def test_a_failing_policy_sends_the_call_to_the_llm_and_says_why() -> None:
    class Broken:
        name = "broken"

        def decide(self, messages: Any, context: RouteContext) -> Decision:
            raise RuntimeError("bug in policy")

    meta = hetero(router(text("small"), policy=Broken()).invoke("q"))
    assert meta["tier"] == "llm"
    assert meta["reason"] == "policy_error: RuntimeError: bug in policy"


def test_an_slm_named_llm_is_rejected() -> None:
    with pytest.raises(ValueError, match="may not be named 'llm'"):
        ChatRouter(llm=scripted(text("x")), slms={"llm": scripted(text("y"))})


# --- one LangChain run per call -------------------------------------------------------------


@pytest.mark.parametrize("mode", ["invoke", "stream"])
def test_handlers_see_exactly_one_chat_model_run_with_the_decision(mode: str) -> None:
    slm = scripted(text("small answer"), "tiny")
    r = ChatRouter(llm=scripted(text("big")), slms={"tiny": slm}, policy=RulePolicy(default="slm"))
    recorder = Recorder()
    config = {"callbacks": [recorder]}
    if mode == "invoke":
        r.invoke("q", config)
    else:
        list(r.stream("q", config))
    assert len(recorder.starts) == 1
    assert recorder.starts[0]["parent"] is None
    assert len(recorder.ends) == 1
    assert recorder.hetero()[0]["tier"] == "slm"
    assert len(slm.calls) == 1


async def test_async_calls_are_one_run_too() -> None:
    r = router(text("small"), policy=RulePolicy(default="slm"))
    recorder = Recorder()
    answer = await r.ainvoke("q", {"callbacks": [recorder]})
    chunks = [c async for c in r.astream("q", {"callbacks": [recorder]})]
    assert len(recorder.starts) == 2
    assert hetero(answer)["tier"] == "slm"
    assert hetero(merge(chunks))["tier"] == "slm"


def test_batch_routes_each_input() -> None:
    r = router(text("small"), policy=RulePolicy(tags={"s": "slm"}))
    answers = r.batch(["a", "b"], [{"tags": ["s"]}, {}])
    assert [hetero(a)["tier"] for a in answers] == ["slm", "llm"]


async def test_abatch_routes_each_input() -> None:
    r = router(text("small"), policy=RulePolicy(default="slm"))
    answers = await r.abatch(["a", "b", "c"])
    assert {hetero(a)["tier"] for a in answers} == {"slm"}


# --- cascade --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("slm_reply", "reason"),
    [
        (call("multiply", {"a": 1, "b": 2}), "unknown_tool: 'multiply'"),
        (call("add", {"a": 1, "b": "two"}), "bad_arguments: add: b:"),
        (call("add", {"a": 1}), "bad_arguments: add: <root>: 'b' is a required property"),
        (text(""), "empty:"),
    ],
)
@pytest.mark.parametrize("mode", ["invoke", "stream", "ainvoke", "astream"])
async def test_cascade_escalates_a_bad_slm_tool_call_every_time(
    slm_reply: Any, reason: str, mode: str
) -> None:
    r = router(slm_reply, call("add", {"a": 1, "b": 2}), policy=CascadePolicy())
    bound = r.bind_tools([add])
    for _ in range(3):
        if mode == "invoke":
            answer: AIMessage = bound.invoke("add 1 and 2")
        elif mode == "ainvoke":
            answer = await bound.ainvoke("add 1 and 2")
        elif mode == "stream":
            answer = merge(list(bound.stream("add 1 and 2")))
        else:
            answer = merge([c async for c in bound.astream("add 1 and 2")])
        meta = hetero(answer)
        assert meta["tier"] == "llm", meta
        assert meta["escalated"] is True
        assert meta["escalation_reason"].startswith(reason), meta["escalation_reason"]
        assert answer.tool_calls[0]["args"] == {"a": 1, "b": 2}


@pytest.mark.parametrize("mode", ["invoke", "stream", "ainvoke", "astream"])
async def test_cascade_serves_a_valid_slm_tool_call_every_time(mode: str) -> None:
    llm = scripted(call("add", {"a": 5, "b": 5}), "big")
    r = ChatRouter(llm=llm, slms={"tiny": scripted(call("add", {"a": 1, "b": 2}))})
    bound = r.bind_tools([add], tool_choice="any")
    for _ in range(3):
        if mode == "invoke":
            answer: AIMessage = bound.invoke("add 1 and 2")
        elif mode == "ainvoke":
            answer = await bound.ainvoke("add 1 and 2")
        elif mode == "stream":
            answer = merge(list(bound.stream("add 1 and 2")))
        else:
            answer = merge([c async for c in bound.astream("add 1 and 2")])
        meta = hetero(answer)
        assert (meta["tier"], meta["escalated"]) == ("slm", False)
        assert answer.tool_calls == [
            {
                "name": "add",
                "args": {"a": 1, "b": 2},
                "id": answer.tool_calls[0]["id"],
                "type": "tool_call",
            }
        ]
    assert llm.calls == []


def test_a_rejected_slm_answer_never_reaches_streaming_handlers() -> None:
    r = router(
        text("wrong small words"),
        text("right big words"),
        policy=CascadePolicy(validators=[lambda m, c: "big" in m.text]),
    )
    recorder = Recorder()
    chunks = list(r.stream("q", {"callbacks": [recorder]}))
    assert "".join(recorder.tokens) == "right big words"
    assert "".join(c.text for c in chunks) == "right big words"
    assert hetero(merge(chunks))["escalation_reason"] == "user:<lambda>: rejected the answer"


def test_a_streamed_tool_call_is_never_turned_into_prose() -> None:
    r = router(text("I would call add(1, 2)"), call("add", {"a": 1, "b": 2}))
    chunks = list(r.bind_tools([add], tool_choice="any").stream("q"))
    answer = merge(chunks)
    assert answer.text == ""
    assert answer.tool_calls[0]["name"] == "add"
    assert hetero(answer)["escalation_reason"].startswith("missing_tool_call")


def test_each_tier_gets_its_own_binding_of_the_routers_tools() -> None:
    slm = scripted(call("add", {"a": 1, "b": 2}), "tiny")
    r = ChatRouter(llm=scripted(text("x")), slms={"tiny": slm})
    r.bind_tools([add], tool_choice="any").invoke("q")
    kwargs = slm.calls[0]["kwargs"]
    assert kwargs["tool_choice"] == "any"
    assert kwargs["tools"][0]["function"]["name"] == "add"


def test_an_slm_without_tool_calling_escalates_calls_with_tools() -> None:
    r = ChatRouter(
        llm=scripted(call("add", {"a": 1, "b": 2})),
        slms={"plain": NoToolsChatModel()},
        policy=RulePolicy(default="slm"),
    )
    bound = r.bind_tools([add])
    meta = hetero(bound.invoke("q"))
    assert meta["tier"] == "llm"
    assert "has no tool calling" in meta["escalation_reason"]
    assert hetero(r.invoke("no tools"))["tier"] == "slm"


def test_an_llm_without_tool_calling_fails_at_bind_time() -> None:
    r = ChatRouter(llm=NoToolsChatModel(), slms={"tiny": scripted(text("x"))})
    with pytest.raises(Exception, match="has no tool calling"):
        r.bind_tools([add])


def test_min_mean_logprob_escalates_unsure_answers() -> None:
    policy = CascadePolicy(min_mean_logprob=-1.0)
    sure = router(text("yes", mean_logprob=-0.2), policy=policy)
    assert hetero(sure.invoke("q"))["tier"] == "slm"
    unsure = router(text("maybe", mean_logprob=-2.5), policy=policy)
    meta = hetero(unsure.invoke("q"))
    assert meta["escalation_reason"] == "low_confidence: mean logprob -2.500 < -1.000"


# --- structured output ----------------------------------------------------------------------


def test_structured_output_by_tool_calling_escalates_invalid_and_parses_valid() -> None:
    bad = router(call("Person", {"name": "Ann"}), call("Person", {"name": "Ann", "age": 3}))
    assert bad.with_structured_output(Person).invoke("q") == Person(name="Ann", age=3)
    good = router(call("Person", {"name": "Bo", "age": 4}), call("Person", {"name": "x", "age": 0}))
    raw = good.with_structured_output(Person, include_raw=True).invoke("q")
    assert raw["parsed"] == Person(name="Bo", age=4)
    assert raw["parsing_error"] is None
    assert hetero(raw["raw"])["tier"] == "slm"


def test_structured_output_as_json_schema_is_validated_per_tier() -> None:
    r = router(text('{"name": "Ann"}'), text('{"name": "Ann", "age": 3}'))
    structured = r.with_structured_output(Person, method="json_schema", include_raw=True)
    result = structured.invoke("q")
    assert result["parsed"] == Person(name="Ann", age=3)
    meta = hetero(result["raw"])
    assert meta["escalation_reason"].startswith("invalid_structured_output:")
    slm = r.slms["tiny"]
    assert slm.calls[0]["kwargs"]["response_format"]["type"] == "json_schema"


def test_structured_output_rejects_unknown_methods_and_kwargs() -> None:
    r = router(text("x"))
    with pytest.raises(ValueError, match="method must be one of"):
        r.with_structured_output(Person, method="xml")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="unsupported arguments"):
        r.with_structured_output(Person, foo=1)


# --- errors both ways -----------------------------------------------------------------------


def test_an_slm_error_escalates_and_is_recorded() -> None:
    r = router(raises(RuntimeError("llama exploded")), policy=RulePolicy(default="slm"))
    meta = hetero(r.invoke("q"))
    assert meta["tier"] == "llm"
    assert meta["escalation_reason"] == "slm_error: RuntimeError: llama exploded"


@pytest.mark.parametrize("mode", ["invoke", "stream"])
def test_context_window_exceeded_escalates_with_its_own_code(mode: str) -> None:
    r = router(raises(ContextWindowExceeded(5000, 2048, "tiny")), policy=CascadePolicy())
    answer = r.invoke("q") if mode == "invoke" else merge(list(r.stream("q")))
    assert hetero(answer)["escalation_reason"].startswith("context_window_exceeded: ")
    assert answer.text == "from the llm"


def test_slm_errors_propagate_when_escalation_is_off() -> None:
    r = router(raises(RuntimeError("boom")), escalate_on_error=False)
    with pytest.raises(RuntimeError, match="boom"):
        r.invoke("q")


def test_an_llm_error_propagates_by_default() -> None:
    r = router(text("small"), raises(ConnectionError("api down")), policy=RulePolicy())
    with pytest.raises(ConnectionError, match="api down"):
        r.invoke("q")


@pytest.mark.parametrize("mode", ["invoke", "stream", "ainvoke"])
async def test_an_llm_error_falls_back_to_the_slm_when_asked(mode: str) -> None:
    r = router(text("small"), raises(ConnectionError("api down")), fallback_to_slm=True)
    r.policy = RulePolicy(default="llm")
    if mode == "invoke":
        answer: AIMessage = r.invoke("q")
    elif mode == "ainvoke":
        answer = await r.ainvoke("q")
    else:
        answer = merge(list(r.stream("q")))
    meta = hetero(answer)
    assert (meta["tier"], meta["model"]) == ("slm", "tiny")
    assert meta["fallback_reason"] == "llm_error: ConnectionError: api down"
    assert answer.text == "small"


def test_no_fallback_to_an_slm_that_already_failed() -> None:
    r = router(raises(RuntimeError("slm down")), raises(ConnectionError("llm down")))
    r.fallback_to_slm = True
    with pytest.raises(ConnectionError, match="llm down"):
        r.invoke("q")


def test_stop_sequences_reach_the_tier() -> None:
    seen: list[Any] = []

    class StopRecorder(NoToolsChatModel):
        def _generate(self, messages: Any, stop: Any = None, run_manager: Any = None, **kw: Any):
            seen.append(stop)
            return super()._generate(messages, stop, run_manager, **kw)

    r = ChatRouter(llm=StopRecorder(), stop=["\n\n"])
    r.invoke("q")
    r.invoke("q", stop=["END"])
    assert seen == [["\n\n"], ["END"]]


def test_messages_reach_the_tier_unchanged() -> None:
    slm = scripted(text("ok"))
    r = ChatRouter(llm=scripted(text("x")), slms={"s": slm}, policy=RulePolicy(default="slm"))
    r.invoke([HumanMessage(content="hello there")])
    assert [m.content for m in slm.calls[0]["messages"]] == ["hello there"]


def test_model_kwarg_picks_a_tier_by_name() -> None:
    r = router(text("small"), text("big"), policy=RulePolicy(default="slm"))
    meta = hetero(r.invoke("q", model="llm"))
    assert (meta["tier"], meta["policy"]) == ("llm", "requested")
    assert r.invoke("q", model="tiny").text == "small"
    with pytest.raises(ValueError, match="is not a tier of this router"):
        r.invoke("q", model="gpt-5")
