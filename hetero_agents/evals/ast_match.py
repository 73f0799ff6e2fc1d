"""Is a tool call right? BFCL's AST check, and a call-against-call comparison.

:func:`ast_match` scores a model's calls against BFCL's possible answers the
way the leaderboard does (its ``ast_checker``, Python rules): the right
function, every required argument, no unknown argument, each value among the
accepted ones with BFCL's leniency (an int for a float, normalised strings,
optional arguments that may be left out, lists and dicts compared element by
element).

:func:`calls_match` answers the conversion pipeline's question: does a small
model's call do the same as the large model's? Both calls are concrete, so
arguments are normalised through the tool's schema (defaults filled in,
numeric strings read as numbers) before they are compared.

Calls are anything shaped like LangChain's ``ToolCall``: a mapping with a
``"name"`` and an ``"args"`` mapping.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from hetero_agents.evals._compare import has_json_type, is_number, values_equal
from hetero_agents.evals.bfcl import BfclQuestion, PossibleCall

MismatchKind = Literal[
    "wrong_count",
    "wrong_name",
    "bad_arguments",
    "missing_required",
    "unexpected_param",
    "type",
    "value",
    "missing_optional",
]
"""Why a call was judged wrong (close to BFCL's ``error_type`` families)."""

_OPTIONAL = ""  # BFCL marks "may be left out" with an empty string among accepted values


@dataclass(frozen=True, slots=True)
class MatchResult:
    """The verdict on a call, with the first reason it failed.

    Attributes:
        ok: Whether the call counts as correct.
        kind: Which check failed (``None`` when ``ok``).
        detail: A sentence naming the argument and values involved.
    """

    ok: bool
    kind: MismatchKind | None = None
    detail: str = ""


MATCH = MatchResult(ok=True)


def _fail(kind: MismatchKind, detail: str) -> MatchResult:
    return MatchResult(ok=False, kind=kind, detail=detail)


def ast_match(calls: Sequence[Mapping[str, Any]], question: BfclQuestion) -> MatchResult:
    """Score ``calls`` against a BFCL question's possible answers.

    Args:
        calls: The model's tool calls, in order (``{"name": ..., "args": {...}}``).
        question: The question, with its tools and ground truth.

    Returns:
        ``MATCH`` or the first failure, as BFCL's checker would report it.
    """
    expected = question.ground_truth
    if len(calls) != len(expected):
        return _fail("wrong_count", f"expected {len(expected)} call(s), got {len(calls)}")
    for call, possible in zip(calls, expected, strict=True):
        schema = question.parameters(possible.name)
        if schema is None:  # the ground truth names a function the question does not offer
            return _fail("wrong_name", f"{possible.name!r} is not among the offered tools")
        result = check_call(call, schema, possible)
        if not result.ok:
            return result
    return MATCH


def check_call(
    call: Mapping[str, Any], parameters: Mapping[str, Any], possible: PossibleCall
) -> MatchResult:
    """Check one call against one possible answer, given the function's parameter schema."""
    if call.get("name") != possible.name:
        return _fail("wrong_name", f"called {call.get('name')!r}, expected {possible.name!r}")
    args = call.get("args")
    if not isinstance(args, Mapping):
        return _fail("bad_arguments", f"arguments are not an object: {args!r}")
    properties: Mapping[str, Any] = parameters.get("properties", {})
    for required in parameters.get("required", []):
        if required not in args:
            return _fail("missing_required", f"missing required argument {required!r}")
    for name, value in args.items():
        if name not in properties or name not in possible.allowed:
            return _fail("unexpected_param", f"unexpected argument {name!r}")
        result = _check_value(name, value, properties[name], possible.allowed[name])
        if not result.ok:
            return result
    for name, accepted in possible.allowed.items():
        if name not in args and _OPTIONAL not in accepted:
            return _fail("missing_optional", f"argument {name!r} must be given: {list(accepted)}")
    return MATCH


def _check_value(
    name: str, value: Any, schema: Mapping[str, Any], accepted: Sequence[Any]
) -> MatchResult:
    if not has_json_type(value, schema):
        # BFCL's "variable" case: the accepted answers have another type than the schema
        # says (a name where a number was declared); a value of *that* type is compared as-is.
        sample = next((a for a in accepted if a != _OPTIONAL), None)
        declared_only = {"type": schema.get("type")}
        if (
            sample is not None
            and not has_json_type(sample, declared_only)
            and type(value) is type(sample)
        ):
            return _in_accepted(name, value, accepted, lenient_strings=False)
        return _fail("type", f"{name!r} must be {schema.get('type')}, got {value!r}")
    items = schema.get("items")
    if schema.get("type") == "object":
        return _check_object(name, value, accepted)
    if isinstance(items, Mapping) and items.get("type") == "object":
        return _check_object_list(name, value, accepted)
    return _in_accepted(name, value, accepted, lenient_strings=True)


def _in_accepted(
    name: str, value: Any, accepted: Sequence[Any], *, lenient_strings: bool
) -> MatchResult:
    if any(values_equal(value, a, lenient_strings=lenient_strings) for a in accepted):
        return MATCH
    return _fail("value", f"{name!r}={value!r} is not one of {list(accepted)}")


def _check_object(name: str, value: Mapping[str, Any], accepted: Sequence[Any]) -> MatchResult:
    """A dict argument: BFCL accepts it if it fits one candidate, key by key."""
    candidates = [a for a in accepted if isinstance(a, Mapping)]
    if any(_fits(value, c) for c in candidates):
        return MATCH
    return _fail("value", f"{name!r}={value!r} fits none of {candidates}")


def _check_object_list(name: str, value: Sequence[Any], accepted: Sequence[Any]) -> MatchResult:
    """A list of dicts: same length as a candidate list, each dict fitting its counterpart."""
    for candidate in accepted:
        if not isinstance(candidate, list | tuple) or len(candidate) != len(value):
            continue
        if all(
            isinstance(item, Mapping) and isinstance(expected, Mapping) and _fits(item, expected)
            for item, expected in zip(value, candidate, strict=True)
        ):
            return MATCH
    return _fail("value", f"{name!r}={value!r} matches none of {list(accepted)}")


def _fits(value: Mapping[str, Any], candidate: Mapping[str, Any]) -> bool:
    """One dict against one candidate ``{key: [accepted values]}``; "" marks an optional key."""
    for key, item in value.items():
        options = candidate.get(key)
        if not isinstance(options, list | tuple):
            return False
        if not any(values_equal(item, option) for option in options):
            return False
    return all(key in value or _OPTIONAL in options for key, options in candidate.items())


def calls_match(
    predicted: Mapping[str, Any],
    reference: Mapping[str, Any],
    schema: Mapping[str, Any] | None = None,
    *,
    lenient_strings: bool = True,
) -> MatchResult:
    """Whether two concrete calls name the same tool with the same arguments.

    Arguments are first normalised through ``schema`` (the tool's parameter
    JSON Schema): a left-out argument takes its schema default, numeric strings
    become numbers for ``integer``/``number`` arguments, ``"true"``/``"false"``
    become booleans, tuples become lists. Then values are compared with BFCL's
    leniency (``5 == 5.0``; strings normalised unless ``lenient_strings`` is false).

    Args:
        predicted: The candidate call (e.g. the small model's).
        reference: The call taken as right (e.g. the large model's).
        schema: The tool's parameters schema; without it, no defaults or coercion.
        lenient_strings: Compare strings with BFCL's normalisation.
    """
    if predicted.get("name") != reference.get("name"):
        return _fail(
            "wrong_name", f"called {predicted.get('name')!r}, expected {reference.get('name')!r}"
        )
    left, right = predicted.get("args"), reference.get("args")
    if not isinstance(left, Mapping) or not isinstance(right, Mapping):
        return _fail("bad_arguments", "arguments are not objects")
    properties: Mapping[str, Any] = (schema or {}).get("properties", {})
    for name in sorted(left.keys() | right.keys()):
        prop = properties.get(name, {})
        missing = object()
        a = left.get(name, prop.get("default", missing))
        b = right.get(name, prop.get("default", missing))
        if a is missing:
            return _fail("missing_required", f"argument {name!r} is missing")
        if b is missing:
            return _fail("unexpected_param", f"unexpected argument {name!r}")
        if not values_equal(_coerce(a, prop), _coerce(b, prop), lenient_strings=lenient_strings):
            return _fail("value", f"{name!r}: {a!r} != {b!r}")
    return MATCH


def _coerce(value: Any, schema: Mapping[str, Any]) -> Any:
    """Read ``value`` as the schema's type where that is unambiguous; otherwise leave it."""
    expected = schema.get("type")
    if expected in ("integer", "number") and isinstance(value, str):
        try:
            number = float(value)
        except ValueError:
            return value
        return int(number) if number.is_integer() and expected == "integer" else number
    if expected == "boolean" and isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    if expected == "array" and isinstance(value, list | tuple):
        items = schema.get("items", {})
        return [_coerce(v, items) for v in value]
    if expected == "object" and isinstance(value, Mapping):
        props = schema.get("properties", {})
        return {k: _coerce(v, props.get(k, {})) for k, v in value.items()}
    if expected == "number" and is_number(value):
        return float(value)
    return value
