"""Everything a policy may look at besides the messages, gathered once per call.

Where it comes from, most specific first:

1. ``@hetero_node`` sets a :class:`NodeRouting` in a ``ContextVar`` for the
   duration of the node (task, pinned tier/model, node policy).
2. The run's metadata: LangGraph stamps ``langgraph_node`` on every node's
   config, ``@hetero_node`` adds ``hetero_task`` / ``hetero_tier``, and users may
   set those two keys themselves (``config={"metadata": {"hetero_task": ...}}``).
3. The call's own kwargs: bound tools, tool choice, structured-output schema.

LangChain hands ``_generate`` a run manager (with the run's metadata and tags)
but calls ``_stream`` without one; in that case the metadata comes from the
config LangChain/LangGraph keep in ``var_child_runnable_config``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Literal

from langchain_core.runnables.config import var_child_runnable_config

from hetero_agents.routing.decision import TIERS, Tier

if TYPE_CHECKING:
    from hetero_agents.routing.policies.base import Policy

ToolChoiceMode = Literal["auto", "required", "none"]

TASK_KEY = "hetero_task"
TIER_KEY = "hetero_tier"
NODE_KEY = "langgraph_node"

_EMPTY: Mapping[str, Any] = MappingProxyType({})


@dataclass(frozen=True, slots=True)
class NodeRouting:
    """What ``@hetero_node`` declares about the node that is running."""

    task: str | None = None
    tier: Tier | None = None
    model: str | None = None
    policy: Policy | None = None


current_node: ContextVar[NodeRouting | None] = ContextVar("hetero_node", default=None)
"""The routing declared by the innermost running ``@hetero_node``, if any."""


@dataclass(frozen=True, slots=True)
class RouteContext:
    """The facts about one call that a policy or validator may use.

    Attributes:
        task: The task name (from ``@hetero_node`` or ``hetero_task`` metadata).
        node: The LangGraph node making the call, if any.
        tags: The run's tags.
        metadata: The run's metadata (read-only).
        pinned_tier: A tier pinned by ``@hetero_node(tier=...)`` or ``hetero_tier``.
        pinned_model: An SLM pinned by ``@hetero_node(model=...)``.
        node_policy: A policy set by ``@hetero_node(policy=...)``; it replaces the
            router's policy for calls made inside that node.
        tools: The OpenAI-format tool dicts bound to this call (``None`` if none).
        tool_choice: ``"auto"``, ``"required"`` or ``"none"``.
        forced_tool: The one tool the model must call, when the choice names one.
        response_schema: JSON schema of the requested structured output when it
            is requested as JSON (``method="json_schema"``), else ``None``.
        slms: Names of the router's SLMs, in the order given (the first is the default).
    """

    task: str | None = None
    node: str | None = None
    tags: tuple[str, ...] = ()
    metadata: Mapping[str, Any] = field(default_factory=lambda: _EMPTY)
    pinned_tier: Tier | None = None
    pinned_model: str | None = None
    node_policy: Policy | None = None
    tools: Sequence[Mapping[str, Any]] | None = None
    tool_choice: ToolChoiceMode = "auto"
    forced_tool: str | None = None
    response_schema: Mapping[str, Any] | None = None
    slms: tuple[str, ...] = ()

    @property
    def default_slm(self) -> str | None:
        """The router's first SLM, or ``None`` when it has none."""
        return self.slms[0] if self.slms else None


def normalize_tool_choice(choice: Any) -> tuple[ToolChoiceMode, str | None]:
    """Map every tool-choice spelling LangChain providers accept onto one form.

    Returns:
        ``(mode, forced_tool)``: ``mode`` is ``"auto"``, ``"required"`` or ``"none"``;
        ``forced_tool`` is the single tool name the model must call, if any.
    """
    if choice is None or choice == "auto":
        return "auto", None
    if choice is True or choice in ("any", "required"):
        return "required", None
    if choice is False or choice == "none":
        return "none", None
    if isinstance(choice, str):
        return "required", choice
    if isinstance(choice, Mapping):
        function = choice.get("function")
        if isinstance(function, Mapping) and isinstance(function.get("name"), str):
            return "required", function["name"]
        if isinstance(choice.get("name"), str):
            return "required", choice["name"]
        kind = choice.get("type")
        if kind in ("any", "required"):
            return "required", None
        if kind == "none":
            return "none", None
        return "auto", None
    return "auto", None


def response_schema_of(response_format: Any) -> Mapping[str, Any] | None:
    """The JSON schema inside an OpenAI-style ``response_format``, if there is one."""
    if not isinstance(response_format, Mapping):
        return None
    if response_format.get("type") == "json_object":
        return {"type": "object"}
    spec = response_format.get("json_schema")
    schema = spec.get("schema") if isinstance(spec, Mapping) else None
    return schema if isinstance(schema, Mapping) else None


def _pinned_tier(value: Any) -> Tier | None:
    return value if value in TIERS else None


def build_context(
    kwargs: Mapping[str, Any],
    *,
    slms: tuple[str, ...],
    metadata: Mapping[str, Any] | None = None,
    tags: Sequence[str] | None = None,
) -> RouteContext:
    """Gather the :class:`RouteContext` of one call.

    Args:
        kwargs: The call's kwargs as the router received them (tools, tool_choice,
            response_format, ...).
        slms: The router's SLM names.
        metadata: The run's metadata when a run manager is available; otherwise it
            is read from the current runnable config.
        tags: The run's tags, with the same fallback.
    """
    if metadata is None:
        config = var_child_runnable_config.get()
        if config is not None:
            metadata = config.get("metadata")
            tags = config.get("tags")
    meta: Mapping[str, Any] = metadata or _EMPTY
    node = current_node.get()
    mode, forced = normalize_tool_choice(kwargs.get("tool_choice"))
    tools = kwargs.get("tools")
    task = node.task if node is not None and node.task else meta.get(TASK_KEY)
    pinned = node.tier if node is not None and node.tier else _pinned_tier(meta.get(TIER_KEY))
    return RouteContext(
        task=task if isinstance(task, str) else None,
        node=meta.get(NODE_KEY) if isinstance(meta.get(NODE_KEY), str) else None,
        tags=tuple(tags or ()),
        metadata=meta,
        pinned_tier=pinned,
        pinned_model=node.model if node is not None else None,
        node_policy=node.policy if node is not None else None,
        tools=tools if isinstance(tools, Sequence) and tools else None,
        tool_choice=mode,
        forced_tool=forced,
        response_schema=response_schema_of(kwargs.get("response_format")),
        slms=slms,
    )
