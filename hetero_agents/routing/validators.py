"""Checks an SLM answer must pass before the cascade serves it.

A validator takes the SLM's complete answer and the call's
:class:`~hetero_agents.routing.context.RouteContext` and returns ``None`` when
the answer is acceptable, or a short reason when it is not. Reasons start with
a stable code (``unknown_tool:``, ``bad_arguments:``, ...) so that the
conversion pipeline can count *why* a task escalates.

The built-in checks are the failures that make other routers unsafe: a tool
call naming a tool that was never bound, arguments that do not match the tool's
schema, structured output that does not validate, an empty answer, and low
model confidence (mean token logprob).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from jsonschema.protocols import Validator as SchemaValidator
    from langchain_core.messages import AIMessage

    from hetero_agents.routing.context import RouteContext


class Validator(Protocol):
    """A check on an SLM answer: ``None`` if acceptable, else why not."""

    def __call__(self, message: AIMessage, context: RouteContext) -> str | None:
        """Check ``message`` produced for the call described by ``context``."""
        ...


# --- compiled tool schemas ----------------------------------------------------------------


class _ToolIndex:
    """Compiled JSON-schema validators of one bound tool list.

    Compiling a schema costs far more than validating against it, and a bound
    tool list is the same object on every call of an agent, so the index is
    cached by the identity of that list (holding a reference, so the id cannot
    be reused while cached).
    """

    __slots__ = ("_tools", "validators")

    def __init__(self, tools: Sequence[Mapping[str, Any]]) -> None:
        from jsonschema.validators import validator_for

        self._tools = tools
        self.validators: dict[str, SchemaValidator] = {}
        for tool in tools:
            function = tool.get("function", tool)
            name = function.get("name")
            if not isinstance(name, str):
                continue
            schema = function.get("parameters") or {"type": "object"}
            cls = validator_for(schema)
            self.validators[name] = cls(schema)


_CACHE_SIZE = 64
_index_cache: dict[int, _ToolIndex] = {}
_index_lock = threading.Lock()


def _tool_index(tools: Sequence[Mapping[str, Any]]) -> _ToolIndex:
    key = id(tools)
    index = _index_cache.get(key)
    if index is not None and index._tools is tools:
        return index
    index = _ToolIndex(tools)
    with _index_lock:
        if len(_index_cache) >= _CACHE_SIZE:
            _index_cache.clear()
        _index_cache[key] = index
    return index


def _schema_error(validator: SchemaValidator, value: Any) -> str | None:
    from jsonschema.exceptions import best_match

    error = best_match(validator.iter_errors(value))
    if error is None:
        return None
    where = "/".join(str(p) for p in error.absolute_path)
    return f"{where or '<root>'}: {error.message}"[:300]


# --- built-in validators ------------------------------------------------------------------


def non_empty(message: AIMessage, context: RouteContext) -> str | None:
    """The answer has text or at least one tool call."""
    if message.tool_calls or message.invalid_tool_calls:
        return None
    if message.text.strip():
        return None
    return "empty: the answer has no text and no tool call"


def tool_calls_valid(message: AIMessage, context: RouteContext) -> str | None:
    """Every tool call names a bound tool, its arguments validate, and the choice is honoured.

    This also covers structured output requested through tool calling
    (``with_structured_output(method="function_calling")``): the schema is a bound
    tool and the call is required.
    """
    if message.invalid_tool_calls:
        bad = message.invalid_tool_calls[0]
        return f"unparsed_tool_call: {bad.get('name')!r}: {bad.get('error') or 'invalid'}"[:300]
    calls = message.tool_calls
    if context.tool_choice == "none" or not context.tools:
        if calls:
            return f"unexpected_tool_call: {calls[0]['name']!r} but no tool may be called"
        return None
    if context.tool_choice == "required" and not calls:
        wanted = repr(context.forced_tool) if context.forced_tool else "a tool"
        return f"missing_tool_call: the call required {wanted} but the answer has none"
    index = _tool_index(context.tools)
    for call in calls:
        name = call["name"]
        if context.forced_tool is not None and name != context.forced_tool:
            return f"wrong_tool: {name!r} called but {context.forced_tool!r} was required"
        validator = index.validators.get(name)
        if validator is None:
            bound = ", ".join(sorted(index.validators)) or "none"
            return f"unknown_tool: {name!r} is not a bound tool (bound: {bound})"[:300]
        problem = _schema_error(validator, call["args"])
        if problem is not None:
            return f"bad_arguments: {name}: {problem}"
    return None


def structured_output_valid(message: AIMessage, context: RouteContext) -> str | None:
    """Structured output requested as JSON (``method="json_schema"``) parses and validates."""
    schema = context.response_schema
    if schema is None:
        return None
    try:
        value = json.loads(message.text)
    except ValueError as exc:
        return f"invalid_structured_output: not JSON ({exc})"[:300]
    from jsonschema.validators import validator_for

    problem = _schema_error(validator_for(schema)(schema), value)
    if problem is not None:
        return f"invalid_structured_output: {problem}"
    return None


def not_truncated(message: AIMessage, context: RouteContext) -> str | None:
    """The answer ended on its own, not because it ran out of ``max_tokens``.

    Not in the default set: whether a long answer cut short is still useful
    depends on the task. Add it with ``CascadePolicy(validators=[not_truncated])``.
    """
    meta = message.response_metadata
    reason = meta.get("finish_reason") or meta.get("stop_reason")
    if reason in ("length", "max_tokens"):
        return "truncated: the answer stopped at max_tokens"
    return None


def mean_logprob(message: AIMessage) -> float | None:
    """The mean token logprob of an answer, if its model reported one.

    ``ChatLlamaCpp`` reports ``response_metadata["mean_logprob"]``; OpenAI-compatible
    servers report per-token ``logprobs`` when asked (``logprobs=True``), which are
    averaged here.
    """
    meta = message.response_metadata
    value = meta.get("mean_logprob")
    if isinstance(value, int | float):
        return float(value)
    logprobs = meta.get("logprobs")
    content = logprobs.get("content") if isinstance(logprobs, Mapping) else None
    if isinstance(content, list) and content:
        values = [t["logprob"] for t in content if isinstance(t, Mapping) and "logprob" in t]
        if values:
            return float(sum(values) / len(values))
    return None


class MinMeanLogprob:
    """The model's mean token logprob is at least ``threshold``.

    Args:
        threshold: The minimum mean logprob (a negative number; ``-0.5`` means the
            model gave its tokens about 60% probability on average).
        missing_ok: Accept answers from models that report no logprob. Off by
            default: a threshold the router cannot check must not silently pass.
    """

    def __init__(self, threshold: float, *, missing_ok: bool = False) -> None:
        self.threshold = threshold
        self.missing_ok = missing_ok

    def __call__(self, message: AIMessage, context: RouteContext) -> str | None:
        """Compare the answer's mean logprob with the threshold."""
        value = mean_logprob(message)
        if value is None:
            return None if self.missing_ok else "no_confidence: the SLM reported no logprob"
        if value < self.threshold:
            return f"low_confidence: mean logprob {value:.3f} < {self.threshold:.3f}"
        return None

    def __repr__(self) -> str:
        return f"MinMeanLogprob({self.threshold!r}, missing_ok={self.missing_ok!r})"


UserCheck = Callable[["AIMessage", "RouteContext"], "bool | str | None"]


def as_validator(check: UserCheck, name: str | None = None) -> Validator:
    """Adapt a user callable to a :class:`Validator`.

    The callable may return ``True``/``None`` (valid), ``False`` (invalid) or a
    string (invalid, with this reason). An exception it raises counts as a
    failure, so a buggy check escalates instead of serving an unchecked answer.
    """
    label = name or getattr(check, "__name__", None) or type(check).__name__

    def validator(message: AIMessage, context: RouteContext) -> str | None:
        try:
            result = check(message, context)
        except Exception as exc:
            return f"user:{label}: raised {type(exc).__name__}: {exc}"[:300]
        if result is True or result is None:
            return None
        if result is False:
            return f"user:{label}: rejected the answer"
        return f"user:{label}: {result}"[:300]

    return validator


BUILTIN_VALIDATORS: tuple[Validator, ...] = (
    non_empty,
    tool_calls_valid,
    structured_output_valid,
)
"""What ``CascadePolicy`` checks by default, in order."""


def first_failure(
    validators: Iterable[Validator], message: AIMessage, context: RouteContext
) -> str | None:
    """Run validators in order and return the first failure, or ``None``."""
    for validator in validators:
        problem = validator(message, context)
        if problem is not None:
            return problem
    return None
