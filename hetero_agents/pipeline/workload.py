"""A synthetic agent workload whose true task of every call is known (for S3's quality bar).

Several distinct agents (:data:`AGENTS`: a math tutor, a physics lab, a legal
assistant, ...) each answer their own subject's questions from BFCL's
``simple`` (Python) file with their own system prompt and tool set. The LLM's
answer is BFCL's ground-truth call, as an ``AIMessage`` with ``tool_calls``. So
the clustering stage can be scored against the truth (``Example.task`` is the
agent), and the later stages get realistic tool-calling requests.

How a call is made, and how unique the texts are (be honest about it):

* Questions are drawn as seeded shuffles of every question of the chosen
  agents, one shuffle after another, so the first pass uses each real BFCL
  question exactly once, with its original wording.
* Every later use of a question is a *variant*: each number in the question is
  replaced by another with the same digit count (and, where the same number
  appears in the ground-truth arguments, there too, so the answer stays
  right), and a polite opening and closing are drawn from small pools.
* Each call binds its question's function plus up to ``extra_tools`` sibling
  functions from its agent's other questions (shuffled): agents with large
  toolboxes retrieve a few candidate tools per request.
* The system prompt is one of the agent's three versions (or, with
  ``shared_prompt=True``, one generic prompt for all: the harder case).

Questions with numbers yield practically unlimited distinct texts; questions
without any (about a third) only as many as the combinations of opening x
closing x prompt version x tool subsets, so at 100k calls a share of texts do
repeat (the benchmark prints the exact share of unique texts). That is also
what real agent traffic looks like.

:func:`log_workload` records the calls into a real log database through
``CallLogger``, for end-to-end runs of the pipeline from S1's output.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from langchain_core.messages import AIMessage, HumanMessage, SystemMessage, messages_to_dict

from hetero_agents.errors import PipelineError
from hetero_agents.evals.bfcl import BfclQuestion, load_questions
from hetero_agents.pipeline._workload_agents import AGENTS, DEFAULT_AGENTS, Agent
from hetero_agents.pipeline._workload_log import log_workload
from hetero_agents.pipeline.records import Example, Split
from hetero_agents.routing.text import routing_text

WORKLOAD_MODEL = "bfcl-ground-truth"
"""The ``model`` recorded on workload examples: the answers are BFCL's, not a model's."""

_NUMBER = re.compile(
    r"(?<![\w.])\d{1,3}(?:,\d{3})+(?:\.\d+)?(?![\w])|(?<![\w.])\d+(?:\.\d+)?(?![\w])"
)
_OPENINGS = (
    "",
    "Please help: ",
    "Hi! ",
    "Quick question. ",
    "Could you do this for me? ",
    "I need this for a report. ",
    "Hello, ",
    "Urgent: ",
    "When you have a moment, ",
    "Thanks in advance. ",
)
SHARED_PROMPT = (
    "You are a helpful assistant with access to tools. Call the tool that answers the "
    "user's request."
)
"""The one system prompt of every call with ``shared_prompt=True``."""
_CLOSINGS = ("", " Thanks!", " Please be precise.", " Thank you.", " ASAP please.", " Cheers.")


def build_workload(
    n: int,
    *,
    seed: int = 0,
    agents: Sequence[str] | None = None,
    extra_tools: int = 3,
    eval_share: float = 0.2,
    shared_prompt: bool = False,
) -> list[Example]:
    """``n`` calls of several known agents, as curated :class:`Example` records.

    Args:
        n: How many calls (any size; see the module docstring on uniqueness).
        seed: Everything (questions, variants, tools, splits) depends only on it.
        agents: Names from :data:`AGENTS`; :data:`DEFAULT_AGENTS` by default.
        extra_tools: Sibling tools bound next to the question's own function.
        eval_share: Share of calls put in the ``eval`` split (seeded).
        shared_prompt: Give every call the same generic system prompt
            (:data:`SHARED_PROMPT`), as if one general agent did all the tasks:
            only the user turn and the bound tools then tell the tasks apart,
            a harder test for clustering than distinct agents.

    Returns:
        The calls; ``task`` and ``group`` are the agent's name, ``node`` is
        ``"agent"`` (the node name LangGraph's prebuilt ReAct agent uses).

    Raises:
        PipelineError: ``n`` is negative, an agent name is unknown or a share
            is out of range.
        EvalDataNotInstalledError: BFCL's data (``bfcl-eval``) is not installed.
    """
    chosen = _agents(agents)
    if n < 0:
        raise PipelineError(f"n must be 0 or more, not {n}")
    if not 0.0 <= eval_share <= 1.0:
        raise PipelineError(f"eval_share must be between 0 and 1, not {eval_share}")
    if extra_tools < 0:
        raise PipelineError(f"extra_tools must be 0 or more, not {extra_tools}")
    questions = load_questions("simple")
    pool = [(agent, questions[i]) for agent in chosen for i in agent.questions]
    toolboxes = {agent.name: _toolbox(questions[i] for i in agent.questions) for agent in chosen}
    rng = random.Random(seed)  # noqa: S311 (a reproducible sample, not a secret)
    uses: dict[str, int] = {}
    examples: list[Example] = []
    while len(examples) < n:
        order = list(range(len(pool)))
        rng.shuffle(order)
        for index in order[: n - len(examples)]:
            agent, question = pool[index]
            variant = uses.get(question.id, 0)
            uses[question.id] = variant + 1
            examples.append(
                _example(
                    f"wl{seed}-{len(examples):07d}",
                    agent,
                    question,
                    toolboxes[agent.name],
                    rng,
                    variant=variant,
                    extra_tools=extra_tools,
                    prompt=SHARED_PROMPT if shared_prompt else None,
                    split="eval" if rng.random() < eval_share else "train",
                )
            )
    return examples


def _agents(names: Sequence[str] | None) -> list[Agent]:
    names = DEFAULT_AGENTS if names is None else names
    unknown = [name for name in names if name not in AGENTS]
    if unknown or not names:
        raise PipelineError(
            f"unknown workload agents {unknown}; choose from: {', '.join(sorted(AGENTS))}"
        )
    return [AGENTS[name] for name in dict.fromkeys(names)]


def _toolbox(questions: Iterable[BfclQuestion]) -> list[dict[str, Any]]:
    """The agent's distinct tools (BFCL reuses some names with other schemas: first wins)."""
    tools: dict[str, dict[str, Any]] = {}
    for question in questions:
        for tool in question.tools:
            tools.setdefault(tool["function"]["name"], tool)
    return list(tools.values())


def _example(
    call_id: str,
    agent: Agent,
    question: BfclQuestion,
    toolbox: Sequence[dict[str, Any]],
    rng: random.Random,
    *,
    variant: int,
    extra_tools: int,
    prompt: str | None,
    split: Split,
) -> Example:
    text = question.messages[-1]["content"]
    call = question.ground_truth[0]
    args = {name: _first_accepted(values) for name, values in call.allowed.items()}
    args = {name: value for name, value in args.items() if value != ""}
    if variant:
        text, args = _vary_numbers(text, args, rng)
        text = f"{rng.choice(_OPENINGS)}{text}{rng.choice(_CLOSINGS)}"
    own = {tool["function"]["name"] for tool in question.tools}
    siblings = [tool for tool in toolbox if tool["function"]["name"] not in own]
    tools = [*question.tools, *rng.sample(siblings, min(extra_tools, len(siblings)))]
    rng.shuffle(tools)
    system = rng.choice(agent.prompts) if prompt is None else prompt
    messages = [SystemMessage(system), HumanMessage(text)]
    answer = AIMessage(
        content="",
        tool_calls=[{"name": call.name, "args": args, "id": f"call_{call_id}"}],
    )
    return Example(
        call_id=call_id,
        text=routing_text(messages, tools),
        messages=messages_to_dict(messages),
        tools=tools,
        response=messages_to_dict([answer])[0],
        split=split,
        group=agent.name,
        task=agent.name,
        node="agent",
        model=WORKLOAD_MODEL,
    )


def _first_accepted(values: Sequence[Any]) -> Any:
    """BFCL lists every accepted value; ``""`` means "may be omitted"."""
    return next((value for value in values if value != ""), "")


def _vary_numbers(
    text: str, args: Mapping[str, Any], rng: random.Random
) -> tuple[str, dict[str, Any]]:
    """Replace each number in ``text`` by one of the same shape, and in ``args`` alike."""
    mapping: dict[str, str] = {}
    values: dict[float, float] = {}
    for match in _NUMBER.finditer(text):
        token = match.group(0)
        if token in mapping:
            continue
        mapping[token] = _similar_number(token, rng)
        old, new = _as_number(token), _as_number(mapping[token])
        values[_key(old)] = new
        if text.startswith("%", match.end()):  # "5%" is usually the argument 0.05
            values[_key(old / 100)] = new / 100
    if not mapping:
        return text, dict(args)
    varied = _NUMBER.sub(lambda m: mapping.get(m.group(0), m.group(0)), text)
    return varied, {name: _replace(value, mapping, values) for name, value in args.items()}


def _similar_number(token: str, rng: random.Random) -> str:
    whole, _, decimals = token.replace(",", "").partition(".")
    digits = len(whole)
    low = 10 ** (digits - 1) if digits > 1 else 1
    number = str(rng.randint(low, 10**digits - 1))
    if "," in token:
        number = f"{int(number):,}"
    if decimals:
        number += (
            "." + "".join(str(rng.randint(0, 9)) for _ in decimals[:-1]) + str(rng.randint(1, 9))
        )
    return number


def _as_number(token: str) -> float:
    return float(token.replace(",", ""))


def _key(number: float) -> float:
    """Compare numbers after rounding, so ``5 / 100`` finds the argument ``0.05``."""
    return round(number, 9)


def _replace(value: Any, mapping: Mapping[str, str], values: Mapping[float, float]) -> Any:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and _key(value) in values:
        new = values[_key(value)]
        return int(new) if isinstance(value, int) and new.is_integer() else round(new, 9)
    if isinstance(value, str):
        return _NUMBER.sub(lambda m: mapping.get(m.group(0), m.group(0)), value)
    if isinstance(value, list):
        return [_replace(item, mapping, values) for item in value]
    if isinstance(value, dict):
        return {key: _replace(item, mapping, values) for key, item in value.items()}
    return value


__all__ = [
    "AGENTS",
    "DEFAULT_AGENTS",
    "SHARED_PROMPT",
    "WORKLOAD_MODEL",
    "Agent",
    "build_workload",
    "log_workload",
]
