"""``@hetero_node``: declare, per LangGraph node, its task and which tier serves it.

One graph can pin its extraction node to an SLM, its planning node to the LLM,
and leave the rest to the router's (learned) policy::

    @hetero_node(task="extract", tier="slm")
    def extract(state: State) -> dict: ...

    @hetero_node                                # task = "summarise", policy decides
    async def summarise(state: State, config: RunnableConfig) -> dict: ...

While the node runs, the declaration is visible two ways:

* to ``ChatRouter`` through a ``ContextVar``
  (:data:`~hetero_agents.routing.context.current_node`);
* to every callback handler (``CallLogger``) as ``hetero_task`` /
  ``hetero_tier`` in the metadata of the model calls the node makes: the
  decorator adds them to the runnable config LangGraph hands the node, both the
  ambient one (``var_child_runnable_config``, used when the node calls
  ``model.invoke(x)``) and an injected ``config`` argument (used when the node
  passes it on explicitly).

The wrapper has the user's signature (``functools.wraps``), so LangGraph still
injects ``config``, ``runtime``, ``store`` and ``writer``; the user's function
is not modified.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any, TypeVar, cast, overload

from langchain_core.runnables import RunnableConfig
from langchain_core.runnables.config import var_child_runnable_config

from hetero_agents.routing.context import TASK_KEY, TIER_KEY, NodeRouting, current_node
from hetero_agents.routing.decision import TIERS, Tier
from hetero_agents.routing.policies.base import Policy

F = TypeVar("F", bound=Callable[..., Any])

ATTRIBUTE = "__hetero_node__"
"""Attribute of a decorated function holding its :class:`NodeRouting`."""


def _with_metadata(config: Mapping[str, Any], metadata: Mapping[str, Any]) -> RunnableConfig:
    merged = {**config, "metadata": {**(config.get("metadata") or {}), **metadata}}
    return cast(RunnableConfig, merged)


@contextmanager
def _inside(
    routing: NodeRouting, metadata: Mapping[str, Any], kwargs: dict[str, Any]
) -> Iterator[None]:
    injected = kwargs.get("config")
    if isinstance(injected, Mapping):
        kwargs["config"] = _with_metadata(injected, metadata)
    ambient = var_child_runnable_config.get()
    config_token = var_child_runnable_config.set(_with_metadata(ambient or {}, metadata))
    node_token = current_node.set(routing)
    try:
        yield
    finally:
        current_node.reset(node_token)
        var_child_runnable_config.reset(config_token)


def _decorate(fn: F, routing: NodeRouting) -> F:
    metadata: dict[str, Any] = {TASK_KEY: routing.task}
    if routing.tier is not None:
        metadata[TIER_KEY] = routing.tier

    wrapper: Callable[..., Any]
    if inspect.iscoroutinefunction(fn):

        @functools.wraps(fn)
        async def async_wrapper(*args: Any, **kwargs: Any) -> Any:
            with _inside(routing, metadata, kwargs):
                return await fn(*args, **kwargs)

        wrapper = async_wrapper
    else:

        @functools.wraps(fn)
        def sync_wrapper(*args: Any, **kwargs: Any) -> Any:
            with _inside(routing, metadata, kwargs):
                return fn(*args, **kwargs)

        wrapper = sync_wrapper
    setattr(wrapper, ATTRIBUTE, routing)
    return cast(F, wrapper)


@overload
def hetero_node(fn: F, /) -> F: ...


@overload
def hetero_node(
    *,
    task: str | None = None,
    tier: Tier | None = None,
    model: str | None = None,
    policy: Policy | None = None,
) -> Callable[[F], F]: ...


def hetero_node(
    fn: F | None = None,
    /,
    *,
    task: str | None = None,
    tier: Tier | None = None,
    model: str | None = None,
    policy: Policy | None = None,
) -> F | Callable[[F], F]:
    """Mark a LangGraph node (sync or async) with its task and routing.

    Args:
        fn: The node function, when used bare (``@hetero_node``).
        task: The task name recorded with every model call of the node and used
            by ``RulePolicy(tasks=...)``; defaults to the function's name.
        tier: Pin every call of the node to ``"slm"`` or ``"llm"``.
        model: Pin to this SLM (implies ``tier="slm"``).
        policy: Decide the node's calls with this policy instead of the router's.

    Returns:
        The wrapped function (or, with options, a decorator producing it).

    Raises:
        ValueError: ``tier`` is not ``"slm"``/``"llm"``, or ``model`` is given with
            ``tier="llm"``.
    """
    if tier is not None and tier not in TIERS:
        raise ValueError(f"tier must be 'slm' or 'llm', not {tier!r}")
    if model is not None:
        if tier == "llm":
            raise ValueError("model= names an SLM; it cannot be combined with tier='llm'")
        tier = "slm"

    def decorator(func: F) -> F:
        if not callable(func):
            raise TypeError(f"@hetero_node decorates a function, not {type(func).__name__}")
        name = task or getattr(func, "__name__", None) or type(func).__name__
        return _decorate(func, NodeRouting(task=name, tier=tier, model=model, policy=policy))

    return decorator(fn) if fn is not None else decorator


def node_routing(fn: Callable[..., Any]) -> NodeRouting | None:
    """The routing ``@hetero_node`` declared on ``fn``, if it is decorated."""
    routing = getattr(fn, ATTRIBUTE, None)
    return routing if isinstance(routing, NodeRouting) else None
