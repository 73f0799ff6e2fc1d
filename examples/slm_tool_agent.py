"""An SLM as a tool of an LLM agent: the LLM plans, and delegates a narrow subtask.

The LLM is reached the way a production agent reaches OpenAI, vLLM or NIM: the
``openai`` client against an OpenAI-compatible endpoint. With no endpoint
configured, llama-cpp-python's server runs the local LLM on a loopback port. The
SLM runs in-process and is offered to the LLM as one more tool (``slm_tool``),
here a date extractor with structured output.

    python examples/slm_tool_agent.py
"""

from __future__ import annotations

import warnings

import _tiers
from langchain_core.messages import AIMessage, ToolMessage
from pydantic import BaseModel

from hetero_agents.routing import slm_tool

NOTE = "Call Ann on 2025-03-04 about the invoice; it is due on 2025-04-01."
QUESTION = f"Use extract_dates to list the dates in this note: {NOTE!r}"


class Dates(BaseModel):
    """Dates found in a text, as ISO 8601 strings."""

    dates: list[str]


def main() -> None:
    slm = _tiers.slm()
    extract_dates = slm_tool(
        slm,
        name="extract_dates",
        description="List every date mentioned in a text, as ISO 8601.",
        output_schema=Dates,
    )
    from langgraph.prebuilt import create_react_agent

    with _tiers.llm_endpoint() as llm, warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # moved to langchain.agents in 1.x
        agent = create_react_agent(llm, [extract_dates])
        result = agent.invoke({"messages": [("user", QUESTION)]}, {"recursion_limit": 6})

    print(f"Q: {QUESTION}")
    delegated = 0
    for message in result["messages"]:
        if isinstance(message, AIMessage):
            for call in message.tool_calls:
                print(f"  LLM ({_tiers.name(llm)}) -> {call['name']}({call['args']})")
            if not message.tool_calls:
                print(f"  LLM ({_tiers.name(llm)}) answers")
        elif isinstance(message, ToolMessage):
            delegated += 1
            print(f"  SLM ({_tiers.name(slm)}, in-process) -> {message.content}")
    print(f"A: {result['messages'][-1].text[:200]}")
    print(f"\nsubtasks delegated to the SLM: {delegated}")


if __name__ == "__main__":
    main()
