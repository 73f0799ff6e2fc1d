"""Logging an existing agent: wrap the run in ``capture()``, change nothing else.

The agent here is a plain ReAct agent on one model, no router: the first step of a
conversion is to record what the agent does today. ``capture()`` attaches a
``CallLogger`` to every runnable invoked inside the block; each chat-model call and
each tool run becomes a row (redacted before it is written), attributed to its
LangGraph node. The summary at the end is what ``hetero-agents logs stats`` shows.

    python examples/log_existing_agent.py
"""

from __future__ import annotations

import tempfile
import warnings
from pathlib import Path

import _tiers
from langchain_core.tools import tool

from hetero_agents.logs import capture

QUESTIONS = ("What is the weather in Oslo?", "Email me at ann@example.com if it rains in Rome.")


@tool
def get_weather(city: str) -> str:
    """Get the current weather in a city."""
    return f"It is 11 degrees and raining in {city}."


def main() -> None:
    from langgraph.prebuilt import create_react_agent

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # moved to langchain.agents in 1.x
        agent = create_react_agent(_tiers.llm(), [get_weather])  # the agent as it already is

    db = Path(tempfile.mkdtemp()) / "logs.db"
    with capture(db) as logger:
        for question in QUESTIONS:
            agent.invoke({"messages": [("user", question)]}, {"recursion_limit": 6})
    store = logger.store

    print(f"logged to {db}")
    for call in store.calls():  # the prompt as stored: note the e-mail address is redacted
        did = ", ".join(c["name"] for c in call.tool_calls or []) or repr(call.response or "")[:40]
        print(f"  node {call.node}  model {call.model}: {(call.prompt or '')[-56:]!r} -> {did}")
    stats = store.stats()
    print(
        f"calls: {stats.total.calls}, tool runs: {sum(g.calls for g in stats.by_tool)}, "
        f"tokens in/out: {stats.total.input_tokens}/{stats.total.output_tokens}"
    )
    for group in stats.by_node:
        print(f"  by node {group.key}: {group.calls} calls, p50 {group.p50_ms or 0:.0f} ms")
    store.close()


if __name__ == "__main__":
    main()
