"""The demo agent: a real LangGraph graph of three model nodes and a ``ToolNode``.

::

    START -> triage -> worker -> tools -> answer -> END
    (a worker answer without a tool call goes straight to answer)

* ``triage`` picks the function the request needs (a forced ``choose_function``
  call whose argument is an enum of the offered names);
* ``worker`` calls that function with arguments taken from the request;
* ``tools`` executes the call (BFCL stand-ins, :mod:`hetero_agents.demo.tools`);
* ``answer`` writes the user's reply from the receipt.

Each model node is a ``@hetero_node`` with its own task name, so every call is
attributed to its node and task in the log and a learned policy can treat the
nodes differently. The same graph runs LLM-only (``model`` is the LLM) and
routed (``model`` is a ``ChatRouter``): nothing else changes.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any, TypedDict

from langchain_core.messages import AIMessage, AnyMessage, HumanMessage, SystemMessage
from langgraph.graph import END, START, StateGraph
from langgraph.graph.message import add_messages
from langgraph.prebuilt import ToolNode

from hetero_agents.demo.tools import CHOOSE_FUNCTION, bfcl_tool, choose_function_tool
from hetero_agents.demo.workload import DemoTask, numbers_in_call
from hetero_agents.evals.ast_match import ast_match
from hetero_agents.routing.node import hetero_node

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel
    from langchain_core.runnables import RunnableConfig

TRIAGE_PROMPT = (
    "You are the triage step of an assistant. Choose the one function that serves the "
    "user's request."
)
WORKER_PROMPT = (
    "You are a function-calling assistant. Call the function with every argument taken "
    "from the user's request."
)
ANSWER_PROMPT = (
    "You write the assistant's final reply. In one or two short sentences, tell the user "
    "what was done, and state every number that was used."
)
MAX_REPLY_CHARS = 600


class DemoState(TypedDict, total=False):
    """What flows between the nodes."""

    messages: Annotated[list[AnyMessage], add_messages]
    choice: str | None
    reply: str


def build_agent(model: BaseChatModel, task: DemoTask) -> Any:
    """Compile the graph for one task (its tools are the task's BFCL functions)."""
    tools = [bfcl_tool(spec) for spec in task.tools]
    names = [tool.name for tool in tools]
    triage_model = model.bind_tools([choose_function_tool(names)], tool_choice=CHOOSE_FUNCTION)

    @hetero_node(task="triage")
    def triage(state: DemoState) -> dict[str, Any]:
        reply = triage_model.invoke([SystemMessage(TRIAGE_PROMPT), HumanMessage(task.request)])
        choice = next(
            (c["args"].get("function") for c in reply.tool_calls if c["name"] == CHOOSE_FUNCTION),
            None,
        )
        return {"choice": choice if choice in names else None}

    @hetero_node(task="worker")
    def worker(state: DemoState) -> dict[str, Any]:
        choice = state.get("choice")
        bound = model.bind_tools(task.tools, tool_choice=choice or "any")
        return {"messages": [bound.invoke(state["messages"])]}

    @hetero_node(task="answer")
    def answer(state: DemoState) -> dict[str, Any]:
        calls = _last_calls(state["messages"])
        receipts = [m.text for m in state["messages"] if m.type == "tool"]
        done = (
            "; ".join(f"{c['name']}({_arguments(c['args'])})" for c in calls)
            or "no function was called"
        )
        prompt = f"Request: {task.request}\nCalled: {done}\nResult: {' '.join(receipts) or '-'}"
        reply = model.invoke([SystemMessage(ANSWER_PROMPT), HumanMessage(prompt)])
        return {"reply": reply.text}

    graph = StateGraph(DemoState)
    graph.add_node("triage", triage)
    graph.add_node("worker", worker)
    graph.add_node("tools", ToolNode(tools))
    graph.add_node("answer", answer)
    graph.add_edge(START, "triage")
    graph.add_edge("triage", "worker")
    graph.add_conditional_edges(
        "worker", lambda s: "tools" if _last_calls(s["messages"]) else "answer"
    )
    graph.add_edge("tools", "answer")
    graph.add_edge("answer", END)
    return graph.compile()


@dataclass(frozen=True, slots=True)
class TaskOutcome:
    """How the agent did on one task, node by node."""

    task_id: str
    triage_ok: bool
    call_ok: bool
    answer_ok: bool
    seconds: float
    error: str | None = None

    @property
    def success(self) -> bool:
        """Every node did its job."""
        return self.triage_ok and self.call_ok and self.answer_ok and self.error is None


def run_task(
    model: BaseChatModel, task: DemoTask, config: RunnableConfig | None = None
) -> TaskOutcome:
    """Run one task through the agent and score each node against the known answers.

    An exception inside the graph is a failed task (recorded), not a crash of the run.
    """
    started = time.perf_counter()
    agent = build_agent(model, task)
    worker_prompt = [SystemMessage(WORKER_PROMPT), HumanMessage(task.request)]
    try:
        state = agent.invoke({"messages": worker_prompt}, config=config)
    except Exception as exc:  # one task's failure is a measured outcome, not a crash
        return TaskOutcome(task.id, False, False, False, time.perf_counter() - started, repr(exc))
    seconds = time.perf_counter() - started
    calls = _last_calls(state["messages"])
    call_ok = ast_match(calls, task.question).ok
    return TaskOutcome(
        task_id=task.id,
        triage_ok=state.get("choice") == task.expected_function,
        call_ok=call_ok,
        answer_ok=reply_ok(state.get("reply", ""), calls),
        seconds=seconds,
    )


def reply_ok(reply: str, calls: list[dict[str, Any]]) -> bool:
    """A short, non-empty reply that states every number the call was made with."""
    text = reply.strip()
    if not text or len(text) > MAX_REPLY_CHARS:
        return False
    numbers = [n for call in calls for n in numbers_in_call(call["args"])]
    return all(number in text for number in numbers)


def _last_calls(messages: list[AnyMessage]) -> list[dict[str, Any]]:
    for message in reversed(messages):
        if isinstance(message, AIMessage):
            return [{"name": c["name"], "args": c["args"]} for c in message.tool_calls]
    return []


def _arguments(args: dict[str, Any]) -> str:
    return ", ".join(f"{key}={value!r}" for key, value in args.items())


__all__ = [
    "ANSWER_PROMPT",
    "TRIAGE_PROMPT",
    "WORKER_PROMPT",
    "DemoState",
    "TaskOutcome",
    "build_agent",
    "reply_ok",
    "run_task",
]
