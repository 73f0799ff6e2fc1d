"""A LangGraph ReAct agent made heterogeneous by swapping its chat model for a ChatRouter.

The agent code is unchanged: ``create_react_agent(router, tools)`` where it used
to be ``create_react_agent(llm, tools)``. The cascade policy lets the SLM answer
first and escalates to the LLM whenever the SLM's answer fails a check (a tool
that does not exist, arguments that do not match the schema, an empty answer,
low confidence). One tool is itself an SLM (``slm_tool``): the paper's second
way in. Every call is logged; the script ends by printing which tier served each.

    python examples/router_react_agent.py
    python examples/router_react_agent.py --llm-base-url http://localhost:8000/v1 --llm-model m
"""

from __future__ import annotations

import argparse
import tempfile
import warnings
from pathlib import Path

from _tiers import add_tier_arguments, build_tiers, slm_name
from langchain_core.tools import tool
from pydantic import BaseModel

from hetero_agents.logs import CallLogger, LogStore
from hetero_agents.routing import CascadePolicy, ChatRouter, slm_tool

QUESTIONS = (
    "What is the weather in Paris?",
    "Convert 12 miles to kilometres.",
    "Which dates are in this note: 'Call Ann on 2025-03-04, invoice due 2025-04-01'?",
)


@tool
def get_weather(city: str) -> str:
    """Get the current weather in a city."""
    return f"It is 18 degrees and sunny in {city}."


@tool
def miles_to_km(miles: float) -> float:
    """Convert a distance in miles to kilometres."""
    return round(miles * 1.609344, 3)


class Dates(BaseModel):
    """Dates found in a text, as ISO 8601 strings."""

    dates: list[str]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_tier_arguments(parser)
    parser.add_argument("--db", type=Path, help="log database (default: a temporary file)")
    parser.add_argument("--min-logprob", type=float, default=-1.5)
    args = parser.parse_args()

    slm, llm = build_tiers(args)
    router = ChatRouter(
        llm=llm, slms={slm_name(slm): slm}, policy=CascadePolicy(min_mean_logprob=args.min_logprob)
    )
    extract_dates = slm_tool(
        slm,
        name="extract_dates",
        description="List every date mentioned in a text, as ISO 8601.",
        output_schema=Dates,
    )
    from langgraph.prebuilt import create_react_agent

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # create_react_agent moved in 1.x
        agent = create_react_agent(router, [get_weather, miles_to_km, extract_dates])

    db = args.db or Path(tempfile.mkdtemp()) / "logs.db"
    with CallLogger(db) as logger:
        for question in QUESTIONS:
            result = agent.invoke({"messages": [("user", question)]}, {"callbacks": [logger]})
            print(f"\nQ: {question}\nA: {result['messages'][-1].text}")
        logger.flush()

    print(f"\nCalls logged in {db}:")
    print(f"{'node':<8} {'task':<14} {'tier':<4} {'model':<22} {'policy':<9} why")
    store = LogStore(db)
    for row in store.calls():
        route = row.route or {}
        why = route.get("escalation_reason") or route.get("reason") or ""
        print(
            f"{row.node or '-':<8} {row.task or '-':<14} {row.tier or '-':<4} "
            f"{row.model or '-':<22} {route.get('policy', '-'):<9} {why[:60]}"
        )
    store.close()


if __name__ == "__main__":
    main()
