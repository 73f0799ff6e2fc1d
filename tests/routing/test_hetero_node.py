"""@hetero_node: per-node task and tier, visible to the router and to callback handlers."""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from typing import Any, TypedDict

import pytest
from langchain_core.runnables import RunnableConfig
from langgraph.graph import END, START, StateGraph
from langgraph.runtime import Runtime
from langgraph.store.base import BaseStore
from langgraph.store.memory import InMemoryStore
from routing_fakes import Recorder, scripted, text

from hetero_agents.routing import ChatRouter, RulePolicy, hetero_node
from hetero_agents.routing.context import current_node
from hetero_agents.routing.node import node_routing


class State(TypedDict, total=False):
    question: str
    tiers: list[str]
    seen: list[str]


@dataclass
class Ctx:
    user: str


def make_router() -> ChatRouter:
    return ChatRouter(
        llm=scripted(text("big"), "big"),
        slms={"tiny": scripted(text("small"), "tiny"), "other": scripted(text("o"), "other")},
        policy=RulePolicy(tasks={"free": "slm"}, default="llm"),
    )


def test_the_users_function_is_wrapped_not_modified() -> None:
    def extract(state: State, config: RunnableConfig) -> State:
        """Docs."""
        return state

    wrapped = hetero_node(task="extract", tier="slm")(extract)
    assert wrapped is not extract
    assert wrapped.__wrapped__ is extract  # type: ignore[attr-defined]
    assert not hasattr(extract, "__hetero_node__")
    assert inspect.signature(wrapped) == inspect.signature(extract)
    assert (wrapped.__name__, wrapped.__doc__) == ("extract", "Docs.")
    routing = node_routing(wrapped)
    assert routing is not None
    assert (routing.task, routing.tier) == ("extract", "slm")
    assert node_routing(extract) is None


def test_bare_use_takes_the_function_name_as_task() -> None:
    @hetero_node
    def summarise(state: State) -> State:
        routing = current_node.get()
        assert routing is not None
        return {"seen": [routing.task or ""]}

    assert summarise({}) == {"seen": ["summarise"]}
    assert current_node.get() is None


def test_options_are_validated() -> None:
    with pytest.raises(ValueError, match="'slm' or 'llm'"):
        hetero_node(tier="gpu")  # type: ignore[call-overload]
    with pytest.raises(ValueError, match="cannot be combined"):
        hetero_node(tier="llm", model="tiny")
    assert node_routing(hetero_node(model="tiny")(lambda s: s)).tier == "slm"  # type: ignore[union-attr]


def test_graph_nodes_pin_tiers_and_keep_langgraph_injection() -> None:
    router = make_router()
    recorder = Recorder()
    store = InMemoryStore()

    @hetero_node(task="extract", tier="slm")
    def extract(state: State, config: RunnableConfig, runtime: Runtime[Ctx]) -> State:
        answer = router.invoke(state["question"])
        assert runtime.context.user == "ann"
        assert config["metadata"]["hetero_task"] == "extract"
        return {"tiers": [answer.response_metadata["hetero"]["tier"]], "seen": ["extract"]}

    @hetero_node(task="plan", tier="llm")
    async def plan(state: State, *, store: BaseStore) -> State:
        answer = await router.ainvoke(state["question"])
        assert store is not None
        return {
            "tiers": [*state["tiers"], answer.response_metadata["hetero"]["tier"]],
            "seen": [*state["seen"], "plan"],
        }

    @hetero_node(task="free")
    def free(state: State, config: RunnableConfig) -> State:
        answer = router.invoke(state["question"], config)  # config passed on explicitly
        return {"tiers": [*state["tiers"], answer.response_metadata["hetero"]["tier"]]}

    def unmarked(state: State) -> State:
        answer = router.invoke(state["question"])
        return {"tiers": [*state["tiers"], answer.response_metadata["hetero"]["tier"]]}

    graph = StateGraph(State, context_schema=Ctx)
    graph.add_node("extract", extract)
    graph.add_node("plan", plan)
    graph.add_node("free", free)
    graph.add_node("unmarked", unmarked)
    graph.add_edge(START, "extract")
    graph.add_edge("extract", "plan")
    graph.add_edge("plan", "free")
    graph.add_edge("free", "unmarked")
    graph.add_edge("unmarked", END)
    app = graph.compile(store=store)

    import asyncio

    result = asyncio.run(
        app.ainvoke({"question": "q"}, {"callbacks": [recorder]}, context=Ctx(user="ann"))
    )
    assert result["tiers"] == ["slm", "llm", "slm", "llm"]
    assert result["seen"] == ["extract", "plan"]
    metas = [s["metadata"] for s in recorder.starts]
    assert [m.get("hetero_task") for m in metas] == ["extract", "plan", "free", None]
    assert [m.get("hetero_tier") for m in metas] == ["slm", "llm", None, None]
    assert [m.get("langgraph_node") for m in metas] == ["extract", "plan", "free", "unmarked"]
    policies = [h["policy"] for h in recorder.hetero()]
    assert policies == ["pinned", "pinned", "rule", "rule"]


def test_model_pin_and_node_policy_reach_the_router() -> None:
    router = make_router()

    @hetero_node(model="other")
    def pinned(state: State) -> State:
        meta = router.invoke("q").response_metadata["hetero"]
        return {"seen": [meta["model"]]}

    @hetero_node(policy=RulePolicy(default="slm", default_model="other"))
    def own_policy(state: State) -> State:
        meta = router.invoke("q").response_metadata["hetero"]
        return {"seen": [meta["model"], meta["task"]]}

    assert pinned({}) == {"seen": ["other"]}
    assert own_policy({}) == {"seen": ["other", "own_policy"]}


async def test_async_nodes_reset_the_context_after_running() -> None:
    @hetero_node(task="t")
    async def node(state: State) -> State:
        routing = current_node.get()
        return {"seen": [routing.task if routing else ""]}

    assert await node({}) == {"seen": ["t"]}
    assert current_node.get() is None


def test_the_context_is_reset_when_the_node_raises() -> None:
    @hetero_node(task="t")
    def node(state: State) -> Any:
        raise RuntimeError("node failed")

    with pytest.raises(RuntimeError):
        node({})
    assert current_node.get() is None
