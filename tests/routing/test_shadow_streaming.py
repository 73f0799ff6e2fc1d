"""Streamed calls are shadowed, routed and logged like invoked ones.

``BaseChatModel.stream()`` / ``astream()`` give ``_stream`` no run manager; the
router gets its run back (``hetero_agents.routing._stream_run``). These tests
hold it to what that promises: the shadow result reaches the streamed call's
run and its log row, the run's metadata reaches the routing decision, handlers
see the same one run as before, and nothing leaks into the consumer's code.
"""

from __future__ import annotations

import json
import operator
import threading
import uuid
from collections.abc import AsyncGenerator, Generator
from functools import reduce
from pathlib import Path
from typing import Any

import pytest
from langchain_core.messages import AIMessageChunk
from langchain_core.runnables import RunnableConfig
from routing_fakes import Recorder, scripted, text

from hetero_agents.routing import ChatRouter, RulePolicy, ShadowPolicy, Tier, _stream_run


def shadowed(serve: Tier = "slm") -> tuple[ChatRouter, ShadowPolicy]:
    policy = ShadowPolicy(RulePolicy(default=serve), sample_rate=1.0)
    router = ChatRouter(
        llm=scripted(text("Paris it is"), "big"),
        slms={"tiny": scripted(text("Lyon it is"), "tiny")},
        policy=policy,
    )
    return router, policy


async def consume(router: ChatRouter, mode: str, config: RunnableConfig) -> list[AIMessageChunk]:
    if mode == "stream":
        return list(router.stream("capital of France?", config))
    return [chunk async for chunk in router.astream("capital of France?", config)]


def hetero(chunks: list[AIMessageChunk]) -> dict[str, Any]:
    merged: AIMessageChunk = reduce(operator.add, chunks)
    return dict(merged.response_metadata["hetero"])


@pytest.mark.parametrize("mode", ["stream", "astream"])
async def test_a_streamed_shadow_is_logged_and_linked_to_the_streamed_call(
    mode: str, tmp_path: Path
) -> None:
    from hetero_agents.logs import CallLogger, LogStore

    router, policy = shadowed()
    logger = CallLogger(tmp_path / "logs.db")
    config: RunnableConfig = {"callbacks": [logger], "metadata": {"hetero_task": "geo"}}
    chunks = await consume(router, mode, config)
    assert policy.flush(timeout=10)
    assert logger.flush(timeout=10)

    store = LogStore(tmp_path / "logs.db")
    (served,) = store.calls()
    (shadow,) = store.shadow_results(task="geo")
    assert shadow.call_id == served.id
    assert shadow.run_id == served.run_id
    assert chunks[0].id == f"lc_run--{served.run_id}"  # the id LangChain gave the stream
    assert (shadow.served_tier, shadow.served_model) == ("slm", "tiny")
    assert (shadow.shadow_tier, shadow.shadow_model, shadow.agreed) == ("llm", "big", False)
    assert served.route is not None
    assert served.route["shadow"] == "big"
    logger.close()
    policy.close()


@pytest.mark.parametrize("mode", ["stream", "astream"])
async def test_a_run_id_the_caller_set_is_the_streamed_run_and_the_shadow_link(mode: str) -> None:
    router, policy = shadowed("llm")
    recorder = Recorder()
    run_id = uuid.uuid4()
    await consume(router, mode, {"callbacks": [recorder], "run_id": run_id})
    assert policy.flush(timeout=10)
    assert [start["run_id"] for start in recorder.starts] == [run_id]
    (event,) = recorder.events
    assert event["run_id"] == run_id
    assert policy.results[0].run_id == str(run_id)
    policy.close()


@pytest.mark.parametrize("mode", ["stream", "astream"])
async def test_the_run_metadata_reaches_the_decision_of_a_streamed_call(mode: str) -> None:
    router = ChatRouter(
        llm=scripted(text("big")),
        slms={"tiny": scripted(text("small"))},
        policy=RulePolicy(tasks={"geo": "slm"}, default="llm"),
    )
    chunks = await consume(router, mode, {"metadata": {"hetero_task": "geo"}})
    meta = hetero(chunks)
    assert (meta["tier"], meta["task"]) == ("slm", "geo")


class ParamsRecorder(Recorder):
    """Also keeps what a logger stores of each start: invocation params and options."""

    def __init__(self) -> None:
        super().__init__()
        self.params: list[Any] = []

    def on_chat_model_start(self, *args: Any, **kwargs: Any) -> None:
        super().on_chat_model_start(*args, **kwargs)
        self.params.append((kwargs.get("invocation_params"), kwargs.get("options")))


def test_streaming_handlers_still_see_one_plain_run() -> None:
    router, policy = shadowed()
    recorder = ParamsRecorder()
    chunks = list(router.stream("q", {"callbacks": [recorder]}))
    assert policy.flush(timeout=10)
    assert len(recorder.starts) == len(recorder.ends) == 1
    assert recorder.errors == []
    assert "".join(recorder.tokens) == "Lyon it is"
    assert recorder.hetero()[0]["tier"] == "slm"
    assert hetero(chunks)["shadow"] == "big"
    json.dumps(recorder.params)  # nothing but JSON went into what handlers record
    assert [e["run_id"] for e in recorder.events] == [recorder.starts[0]["run_id"]]
    policy.close()


def test_stream_does_nothing_before_the_first_chunk_is_asked_for() -> None:
    router, policy = shadowed()
    recorder = Recorder()
    chunks = router.stream("q", {"callbacks": [recorder]})
    assert isinstance(chunks, Generator)
    assert recorder.starts == []
    assert router.slms["tiny"].calls == []  # type: ignore[attr-defined]
    next(chunks)
    assert len(recorder.starts) == 1
    chunks.close()
    policy.close()


def test_the_consumer_never_sees_the_opening_run_and_may_close_from_another_thread() -> None:
    router, policy = shadowed()
    recorder = Recorder()
    chunks = router.stream("q", {"callbacks": [recorder]})
    assert isinstance(chunks, Generator)
    next(chunks)
    assert _stream_run._OPENING.get() is None  # between chunks the consumer's context is clean
    failures: list[BaseException] = []

    def close() -> None:
        try:
            chunks.close()
        except BaseException as exc:  # pragma: no cover - the failure this test looks for
            failures.append(exc)

    closer = threading.Thread(target=close)
    closer.start()
    closer.join(10)
    assert failures == []
    assert len(recorder.errors) == 1  # LangChain ended the run as interrupted
    again = Recorder()
    list(router.stream("q", {"callbacks": [again]}))  # the next stream links normally
    assert policy.flush(timeout=10)
    assert [e["run_id"] for e in again.events] == [again.starts[0]["run_id"]]
    policy.close()


async def test_an_async_stream_closed_early_from_another_task_is_clean() -> None:
    import asyncio

    router, policy = shadowed()
    recorder = Recorder()
    chunks = router.astream("q", {"callbacks": [recorder]})
    assert isinstance(chunks, AsyncGenerator)
    await anext(chunks)
    assert _stream_run._OPENING.get() is None
    await asyncio.create_task(chunks.aclose())
    assert len(recorder.errors) == 1
    policy.close()


@pytest.mark.parametrize("mode", ["invoke", "stream"])
def test_a_router_serving_as_a_tier_does_not_take_the_outer_run(mode: str) -> None:
    inner_policy = ShadowPolicy(RulePolicy(default="llm"), sample_rate=1.0)
    inner = ChatRouter(
        llm=scripted(text("inner big")),
        slms={"inner-tiny": scripted(text("inner small"))},
        policy=inner_policy,
    )
    outer = ChatRouter(llm=inner, policy=RulePolicy(default="llm"))
    recorder = Recorder()
    config: RunnableConfig = {"callbacks": [recorder]}
    if mode == "invoke":
        outer.invoke("q", config)
    else:
        list(outer.stream("q", config))
    assert inner_policy.flush(timeout=10)
    assert policy_run_ids(inner_policy) == [None]  # same as invoke: the inner call has no run
    assert recorder.events == []
    inner_policy.close()


def policy_run_ids(policy: ShadowPolicy) -> list[str | None]:
    return [result.run_id for result in policy.results]
