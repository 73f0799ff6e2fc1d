"""Shadow mode and answer agreement."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from langchain_core.messages import AIMessage, BaseMessage
from routing_fakes import Recorder, call, raises, scripted, text

from hetero_agents.routing import ChatRouter, RulePolicy, ShadowPolicy
from hetero_agents.routing.agreement import compare
from hetero_agents.routing.context import RouteContext
from hetero_agents.routing.policies.shadow import SHADOW_EVENT


def tool_message(*calls: tuple[str, dict[str, Any]]) -> AIMessage:
    return AIMessage(
        content="",
        tool_calls=[{"name": n, "args": a, "id": f"id{i}"} for i, (n, a) in enumerate(calls)],
    )


# --- agreement ------------------------------------------------------------------------------


def test_same_tool_calls_agree_whatever_the_ids_and_key_order() -> None:
    a = tool_message(("add", {"a": 1, "b": 2}), ("mul", {"x": 3}))
    b = tool_message(("mul", {"x": 3}), ("add", {"b": 2, "a": 1}))
    result = compare(a, b)
    assert (result.agreed, result.similarity, result.kind) == (True, 1.0, "tool_calls")


def test_different_arguments_disagree_with_partial_similarity() -> None:
    a = tool_message(("add", {"a": 1, "b": 2}), ("mul", {"x": 3}))
    b = tool_message(("add", {"a": 1, "b": 3}), ("mul", {"x": 3}))
    result = compare(a, b)
    assert (result.agreed, result.similarity) == (False, 0.5)


def test_a_tool_call_never_agrees_with_prose() -> None:
    result = compare(tool_message(("add", {})), AIMessage(content="add"))
    assert (result.agreed, result.similarity, result.kind) == (False, 0.0, "mixed")


def test_texts_agree_when_similar_enough() -> None:
    same = compare(AIMessage(content="The  Answer is 42."), AIMessage(content="the answer is 42."))
    assert (same.agreed, same.similarity) == (True, 1.0)
    close = compare(AIMessage(content="The answer is 42."), AIMessage(content="The answer is 43."))
    assert close.agreed
    assert 0.9 < close.similarity < 1.0
    far = compare(AIMessage(content="yes"), AIMessage(content="absolutely not, never"))
    assert not far.agreed
    assert not compare(
        AIMessage(content="a b"), AIMessage(content="a c"), text_threshold=0.99
    ).agreed


# --- shadow policy --------------------------------------------------------------------------


def shadow_router(slm: Any, llm: Any, **shadow: Any) -> tuple[ChatRouter, ShadowPolicy]:
    policy = ShadowPolicy(RulePolicy(default="llm"), sample_rate=1.0, **shadow)
    router = ChatRouter(
        llm=scripted(llm, "big"), slms={"tiny": scripted(slm, "tiny")}, policy=policy
    )
    return router, policy


def test_llm_served_calls_are_shadowed_by_the_slm_and_agreement_is_recorded() -> None:
    router, policy = shadow_router(text("Paris"), text("Paris"))
    recorder = Recorder()
    answer = router.invoke(
        "capital of France?", {"callbacks": [recorder], "metadata": {"hetero_task": "geo"}}
    )
    assert policy.flush(timeout=10)
    meta = answer.response_metadata["hetero"]
    assert (meta["tier"], meta["policy"], meta["shadow"]) == ("llm", "rule", "tiny")
    (result,) = policy.results
    assert (result.served_tier, result.shadow_tier, result.shadow_model) == ("llm", "slm", "tiny")
    assert (result.agreed, result.kind, result.task) == (True, "text", "geo")
    assert policy.stats()["geo"].agreement == 1.0
    (event,) = recorder.events
    assert event["name"] == SHADOW_EVENT
    assert event["run_id"] == recorder.starts[0]["run_id"]  # linked to the served call's run
    assert event["data"]["agreed"] is True
    policy.close()


def test_slm_served_calls_are_shadowed_by_the_llm_and_disagreement_counts() -> None:
    policy = ShadowPolicy(RulePolicy(default="slm"), sample_rate=1.0)
    big, tiny = scripted(call("add", {"a": 1, "b": 2})), scripted(call("add", {"a": 1, "b": 3}))
    router = ChatRouter(llm=big, slms={"tiny": tiny}, policy=policy)
    router.invoke("q")
    list(router.stream("q"))
    assert policy.flush(timeout=10)
    assert [(r.served_tier, r.agreed, r.kind, r.run_id is None) for r in policy.results] == [
        ("slm", False, "tool_calls", False),
        ("slm", False, "tool_calls", False),  # a streamed call is linked to its run too
    ]
    stats = policy.stats()[None]
    assert (stats.calls, stats.agreed, stats.agreement) == (2, 0, 0.0)
    policy.close()


def test_the_shadow_tier_sees_the_same_tools() -> None:
    from langchain_core.tools import tool

    @tool
    def add(a: int, b: int) -> int:
        """Add."""
        return a + b

    router, policy = shadow_router(call("add", {"a": 1, "b": 2}), call("add", {"a": 1, "b": 2}))
    router.bind_tools([add]).invoke("q")
    assert policy.flush(timeout=10)
    assert policy.results[0].agreed is True
    slm = router.slms["tiny"]
    assert slm.calls[0]["kwargs"]["tools"][0]["function"]["name"] == "add"
    policy.close()


def test_a_failing_shadow_is_a_result_not_an_error() -> None:
    seen: list[Any] = []
    router, policy = shadow_router(
        raises(RuntimeError("slm down")), text("ok"), on_result=seen.append
    )
    assert router.invoke("q").text == "ok"
    assert policy.flush(timeout=10)
    (result,) = seen
    assert result.agreed is None
    assert result.error == "slm_error: RuntimeError: slm down"
    assert policy.stats()[None].errors == 1
    policy.close()


def test_sampling_rate_and_seed_are_respected() -> None:
    policy = ShadowPolicy(RulePolicy(default="llm"), sample_rate=0.3, seed=7)
    context = RouteContext(slms=("tiny",))
    sampled = sum(policy.decide([], context).shadow is not None for _ in range(2000))
    assert 500 < sampled < 700
    never = ShadowPolicy(RulePolicy(default="llm"), sample_rate=0.0)
    assert all(never.decide([], context).shadow is None for _ in range(100))
    with pytest.raises(ValueError, match="between 0 and 1"):
        ShadowPolicy(RulePolicy(), sample_rate=1.5)


def test_no_slm_means_nothing_to_shadow_with() -> None:
    policy = ShadowPolicy(RulePolicy(default="llm"), sample_rate=1.0)
    assert policy.decide([], RouteContext()).shadow is None


def test_the_shadow_never_delays_the_served_call_and_excess_samples_are_dropped() -> None:
    release = threading.Event()

    def slow(messages: list[BaseMessage], kwargs: dict[str, Any]) -> AIMessage:
        release.wait(10)
        return AIMessage(content="late")

    router, policy = shadow_router(slow, text("now"), max_pending=2)
    answers = [router.invoke("q").text for _ in range(4)]
    assert answers == ["now"] * 4  # served while the shadow thread is blocked
    assert policy.dropped == 2
    release.set()
    assert policy.flush(timeout=10)
    assert len(policy.results) == 2
    policy.close()


def test_a_broken_result_sink_is_logged_not_raised(caplog: pytest.LogCaptureFixture) -> None:
    def sink(result: Any) -> None:
        raise ValueError("sink bug")

    router, policy = shadow_router(text("a"), text("a"), on_result=sink)
    router.invoke("q")
    assert policy.flush(timeout=10)
    assert "a shadow result sink failed" in caplog.text
    assert len(policy.results) == 1
    policy.close()


# --- shadow results reach the log -------------------------------------------------------------


def test_shadow_results_are_recorded_by_the_call_logger_and_linked_to_the_served_call(
    tmp_path: Any,
) -> None:
    from hetero_agents.logs import CallLogger, LogStore

    router, policy = shadow_router(text("Lyon"), text("Paris"))
    logger = CallLogger(tmp_path / "logs.db")
    router.invoke("capital of France?", {"callbacks": [logger], "metadata": {"hetero_task": "geo"}})
    assert policy.flush(timeout=10)
    assert logger.flush(timeout=10)

    store = LogStore(tmp_path / "logs.db")
    (served,) = store.calls()
    (shadow,) = store.shadow_results(task="geo")
    assert shadow.call_id == served.id
    assert (shadow.served_tier, shadow.shadow_tier, shadow.shadow_model) == ("llm", "slm", "tiny")
    assert shadow.agreed is False
    assert shadow.kind == "text"
    logger.close()
