"""Route by what the call *is*: its LangGraph node, task name, or tags."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from hetero_agents.routing.decision import TIERS, Decision, Tier

if TYPE_CHECKING:
    from langchain_core.messages import BaseMessage

    from hetero_agents.routing.context import RouteContext


@dataclass(frozen=True, slots=True)
class Rule:
    """Send calls that match every given selector to ``tier``.

    Attributes:
        tier: ``"slm"`` or ``"llm"``.
        node: The LangGraph node name to match (``langgraph_node``).
        task: The task name to match (``@hetero_node(task=...)`` / ``hetero_task``).
        tag: A run tag to match.
        model: Which SLM serves matching calls (``None``: the router's first SLM).
    """

    tier: Tier
    node: str | None = None
    task: str | None = None
    tag: str | None = None
    model: str | None = None

    def __post_init__(self) -> None:
        if self.tier not in TIERS:
            raise ValueError(f"Rule tier must be 'slm' or 'llm', not {self.tier!r}")
        if self.node is None and self.task is None and self.tag is None:
            raise ValueError("a Rule needs at least one of node=, task= or tag=")

    def matches(self, context: RouteContext) -> bool:
        """Whether the call described by ``context`` matches every selector."""
        return (
            (self.node is None or self.node == context.node)
            and (self.task is None or self.task == context.task)
            and (self.tag is None or self.tag in context.tags)
        )

    def describe(self) -> str:
        """The selectors as ``node=x task=y`` for decision reasons."""
        parts = [
            f"{k}={v}" for k, v in (("node", self.node), ("task", self.task), ("tag", self.tag))
        ]
        return " ".join(p for p in parts if not p.endswith("=None"))


def _target(value: str) -> tuple[Tier, str | None]:
    """``"slm"``/``"llm"`` name a tier; any other string names an SLM."""
    if value == "llm":
        return "llm", None
    if value == "slm":
        return "slm", None
    return "slm", value


class RulePolicy:
    """Static routing by node, task or tag, with a default tier.

    The fastest policy (a few dictionary lookups), and the one to start with: pin
    the nodes you already know an SLM handles, send the rest to the LLM, and let
    the logs show what to move next.

    Args:
        rules: Explicit rules, tried first, in order.
        tasks: ``{task: target}``; a target is ``"slm"``, ``"llm"`` or an SLM name.
        nodes: ``{langgraph node: target}``.
        tags: ``{tag: target}``.
        default: The tier for calls no rule matches.
        default_model: The SLM for unmatched calls when ``default`` is ``"slm"``.

    Selectors are tried from the most to the least specific: explicit rules,
    then task, then node, then tag.

    Example:
        >>> policy = RulePolicy(nodes={"extract": "slm", "plan": "llm"}, default="llm")
    """

    name = "rule"

    def __init__(
        self,
        rules: Iterable[Rule] = (),
        *,
        tasks: Mapping[str, str] | None = None,
        nodes: Mapping[str, str] | None = None,
        tags: Mapping[str, str] | None = None,
        default: Tier = "llm",
        default_model: str | None = None,
    ) -> None:
        if default not in TIERS:
            raise ValueError(f"default must be 'slm' or 'llm', not {default!r}")
        self.rules: tuple[Rule, ...] = tuple(rules)
        self.tasks = {k: _target(v) for k, v in (tasks or {}).items()}
        self.nodes = {k: _target(v) for k, v in (nodes or {}).items()}
        self.tags = {k: _target(v) for k, v in (tags or {}).items()}
        self.default: Tier = default
        self.default_model = default_model

    def decide(self, messages: Sequence[BaseMessage], context: RouteContext) -> Decision:
        """Return the first matching rule's tier, else the default."""
        for rule in self.rules:
            if rule.matches(context):
                return Decision(rule.tier, self.name, f"rule {rule.describe()}", model=rule.model)
        if context.task is not None and context.task in self.tasks:
            tier, model = self.tasks[context.task]
            return Decision(tier, self.name, f"task={context.task}", model=model)
        if context.node is not None and context.node in self.nodes:
            tier, model = self.nodes[context.node]
            return Decision(tier, self.name, f"node={context.node}", model=model)
        if self.tags:
            for tag in context.tags:
                if tag in self.tags:
                    tier, model = self.tags[tag]
                    return Decision(tier, self.name, f"tag={tag}", model=model)
        return Decision(self.default, self.name, "default", model=self.default_model)

    def __repr__(self) -> str:
        return (
            f"RulePolicy(rules={len(self.rules)}, tasks={sorted(self.tasks)}, "
            f"nodes={sorted(self.nodes)}, tags={sorted(self.tags)}, default={self.default!r})"
        )
