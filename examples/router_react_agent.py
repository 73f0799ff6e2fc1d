"""ChatRouter in a ReAct agent: the agent's code is unchanged, its chat model is swapped.

``create_react_agent(router, tools)`` where it used to be ``create_react_agent(llm, tools)``.
The cascade policy lets the SLM answer first and escalates to the LLM whenever the
SLM's answer fails a check (a tool that does not exist, arguments that do not fit the
schema, an empty answer). Each model call prints which tier served it and why.

    python examples/router_react_agent.py
"""

from __future__ import annotations

import warnings

import _tiers
from langchain_core.messages import AIMessage
from langchain_core.tools import tool

from hetero_agents.routing import CascadePolicy, ChatRouter

QUESTIONS = ("What is the weather in Paris?", "Convert 12 miles to kilometres.")


@tool
def get_weather(city: str) -> str:
    """Get the current weather in a city."""
    return f"It is 18 degrees and sunny in {city}."


@tool
def miles_to_km(miles: float) -> float:
    """Convert a distance in miles to kilometres."""
    return round(miles * 1.609344, 3)


def main() -> None:
    slm = _tiers.slm()
    router = ChatRouter(llm=_tiers.llm(), slms={_tiers.name(slm): slm}, policy=CascadePolicy())
    from langgraph.prebuilt import create_react_agent

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # moved to langchain.agents in 1.x
        agent = create_react_agent(router, [get_weather, miles_to_km])

    served = {"slm": 0, "llm": 0}
    for question in QUESTIONS:
        result = agent.invoke({"messages": [("user", question)]}, {"recursion_limit": 6})
        print(f"\nQ: {question}")
        for message in result["messages"]:
            if not isinstance(message, AIMessage):
                continue
            route = message.response_metadata.get("hetero")
            if route is None:  # create_react_agent's own "out of steps" reply
                print("  (the agent ran out of steps)")
                continue
            served[route["tier"]] += 1
            what = ", ".join(c["name"] for c in message.tool_calls) or "answer"
            why = route["escalation_reason"] or route["reason"]
            print(f"  tier {route['tier']} ({route['model']}) -> {what}  [{why[:70]}]")
        print(f"A: {result['messages'][-1].text[:200]}")

    slm, llm = served["slm"], served["llm"]
    print(f"\nmodel calls: {slm + llm}, served by the SLM: {slm}, by the LLM: {llm}")


if __name__ == "__main__":
    main()
