"""A hand-written LangGraph StateGraph with a ToolNode, routed per node with @hetero_node.

* ``triage`` is pinned to the SLM (``@hetero_node(task="triage", tier="slm")``) and
  classifies the request with grammar-constrained structured output;
* ``agent`` lets the router's policy decide each call: a ``ShadowPolicy`` around a
  ``RulePolicy`` that serves the LLM and, on half the calls, runs the SLM in the
  background and records whether the two agreed, the evidence for moving the
  ``agent`` task to the SLM later;
* ``tools`` is a plain ``ToolNode``.

    python examples/router_stategraph.py
"""

from __future__ import annotations

import argparse
from typing import Annotated, Literal, TypedDict

from _tiers import add_tier_arguments, build_tiers, slm_name
from langchain_core.messages import AnyMessage, SystemMessage, ToolMessage
from langchain_core.tools import tool
from langgraph.graph import START, StateGraph
from langgraph.graph.message import add_messages
from langgraph.prebuilt import ToolNode, tools_condition
from pydantic import BaseModel

from hetero_agents.routing import ChatRouter, RulePolicy, ShadowPolicy, hetero_node


class Triage(BaseModel):
    """What kind of request this is."""

    kind: Literal["weather", "maths", "other"]


class State(TypedDict):
    messages: Annotated[list[AnyMessage], add_messages]
    kind: str


@tool
def get_weather(city: str) -> str:
    """Get the current weather in a city."""
    return f"It is 18 degrees and sunny in {city}."


@tool
def multiply(a: float, b: float) -> float:
    """Multiply two numbers."""
    return a * b


def build_graph(router: ChatRouter):
    triage_model = router.with_structured_output(Triage)
    agent_model = router.bind_tools([get_weather, multiply])

    @hetero_node(task="triage", tier="slm")
    def triage(state: State) -> dict[str, str]:
        return {"kind": triage_model.invoke(state["messages"]).kind}

    @hetero_node(task="agent")
    def agent(state: State) -> dict[str, list[AnyMessage]]:
        system = SystemMessage(f"You answer {state['kind']} questions. Use a tool when useful.")
        # once a tool has answered, ask for the final answer without tools: small models
        # otherwise tend to call the tool again and again
        answered = isinstance(state["messages"][-1], ToolMessage)
        model = router if answered else agent_model
        return {"messages": [model.invoke([system, *state["messages"]])]}

    graph = StateGraph(State)
    graph.add_node("triage", triage)
    graph.add_node("agent", agent)
    graph.add_node("tools", ToolNode([get_weather, multiply]))
    graph.add_edge(START, "triage")
    graph.add_edge("triage", "agent")
    graph.add_conditional_edges("agent", tools_condition)
    graph.add_edge("tools", "agent")
    return graph.compile()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_tier_arguments(parser)
    parser.add_argument("--sample", type=float, default=0.5, help="shadow sample rate")
    args = parser.parse_args()

    slm, llm = build_tiers(args)
    shadow = ShadowPolicy(RulePolicy(default="llm"), sample_rate=args.sample, seed=0)
    router = ChatRouter(llm=llm, slms={slm_name(slm): slm}, policy=shadow)
    app = build_graph(router)

    for question in ("What is the weather in Lisbon?", "What is 6.5 times 7?"):
        result = app.invoke({"messages": [("user", question)]})
        print(f"\nQ: {question}  (triaged as {result['kind']})")
        for message in result["messages"]:
            meta = message.response_metadata.get("hetero")
            if meta:
                print(f"  {meta['task']:<7} -> {meta['tier']} ({meta['model']}): {meta['reason']}")
        print(f"A: {result['messages'][-1].text}")

    shadow.flush(timeout=300)
    print("\nShadow agreement per task (evidence for promoting a task to the SLM):")
    for task, stats in shadow.stats().items():
        print(f"  {task}: {stats.agreed}/{stats.calls - stats.errors} agreed")
    shadow.close()


if __name__ == "__main__":
    main()
