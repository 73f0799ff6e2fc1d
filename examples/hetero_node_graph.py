"""@hetero_node in a hand-written StateGraph with a ToolNode: routing per node.

``triage`` is pinned to the SLM (structured output); ``agent`` is left to the router's
policy, a ``RulePolicy`` defaulting to the LLM (a learned ``ClusterPolicy`` would later
move it to the SLM); ``tools`` is a plain ``ToolNode``. Prints each call's node and tier.

    python examples/hetero_node_graph.py
"""

from __future__ import annotations

from typing import Annotated, Literal, TypedDict

import _tiers
from langchain_core.messages import AIMessage, AnyMessage, SystemMessage, ToolMessage
from langchain_core.tools import tool
from langgraph.graph import START, StateGraph
from langgraph.graph.message import add_messages
from langgraph.prebuilt import ToolNode, tools_condition
from pydantic import BaseModel

from hetero_agents.routing import ChatRouter, RulePolicy, hetero_node


class Triage(BaseModel):
    kind: Literal["weather", "maths", "other"]


class State(TypedDict):
    messages: Annotated[list[AnyMessage], add_messages]
    kind: str
    triage_tier: str


@tool
def multiply(a: float, b: float) -> float:
    """Multiply two numbers."""
    return a * b


def build_graph(router: ChatRouter):
    classify = router.with_structured_output(Triage, include_raw=True)
    with_tools = router.bind_tools([multiply])

    @hetero_node(task="triage", tier="slm")
    def triage(state: State) -> dict[str, str]:
        out = classify.invoke(state["messages"])
        kind = out["parsed"].kind if out["parsed"] else "other"
        return {"kind": kind, "triage_tier": out["raw"].response_metadata["hetero"]["tier"]}

    @hetero_node(task="agent")
    def agent(state: State) -> dict[str, list[AnyMessage]]:
        system = SystemMessage(f"You answer {state['kind']} questions. Use a tool when useful.")
        # after a tool result, ask for the answer without tools: small models loop otherwise
        model = router if isinstance(state["messages"][-1], ToolMessage) else with_tools
        return {"messages": [model.invoke([system, *state["messages"]])]}

    graph = StateGraph(State).add_sequence([triage, agent]).add_edge(START, "triage")
    graph.add_node("tools", ToolNode([multiply])).add_edge("tools", "agent")
    return graph.add_conditional_edges("agent", tools_condition).compile()


def main() -> None:
    slm = _tiers.slm()
    router = ChatRouter(llm=_tiers.llm(), slms={_tiers.name(slm): slm}, policy=RulePolicy())
    question = "What is 6.5 times 7?"
    result = build_graph(router).invoke({"messages": [("user", question)]}, {"recursion_limit": 8})

    print(f"Q: {question}")
    print(f"  node triage  task triage -> tier {result['triage_tier']}: kind={result['kind']!r}")
    for message in result["messages"]:
        if isinstance(message, AIMessage) and "hetero" in message.response_metadata:
            route = message.response_metadata["hetero"]
            calls = ", ".join(c["name"] for c in message.tool_calls) or "answer"
            print(f"  node {route['node']}  task {route['task']} -> tier {route['tier']}: {calls}")
    print(f"A: {result['messages'][-1].text[:200]}")


if __name__ == "__main__":
    main()
