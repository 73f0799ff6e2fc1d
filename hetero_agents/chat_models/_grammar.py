"""GBNF grammars that make tool calls and structured output hold by construction.

A small model asked for JSON produces almost-JSON: a missing brace, a tool that does
not exist, an argument of the wrong type. llama.cpp can instead mask, at every step,
the tokens that would leave a formal grammar, so whatever comes back parses and
matches the schema. This module turns JSON schemas into that grammar (GBNF):

* a *tool-call* grammar: ``{"name": ..., "arguments": ...}`` after an opening
  ``<tool_call>`` tag that is already in place (optionally followed by more tagged
  calls),
  whose ``name`` is a bound tool and whose ``arguments`` match *that* tool's
  parameter schema (a union over the tools, not one loose schema); or the same call
  object bare, for models that answer tool calls as plain JSON;
* a *schema* grammar for ``with_structured_output``.

Each tool's parameter schema goes through llama-cpp-python's own JSON-schema
converter (``llama_cpp.llama_grammar.SchemaConverter``) under its own ``$ref`` base,
so ``$defs`` of different tools cannot collide. The call envelope is written here so
that ``name`` always comes first: the parser can then stream calls in order.

Arrays whose schema sets no ``maxItems`` get a bound (:data:`DEFAULT_MAX_ITEMS`)
before conversion: at temperature 0 a small model can repeat one item inside an
open array until ``max_tokens`` cuts the call off, and a truncated call is no call.
See :func:`bound_arrays` for why the bound costs no answer worth having.

Building the GBNF text runs a Python schema walk (about a millisecond per tool);
llama.cpp parses the text in microseconds. So the *text* is cached per
``(tools, allowed names, form)`` and every generation compiles a fresh sampler,
which keeps grammar state out of shared objects entirely.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from typing import Any, Literal

from hetero_agents._extras import require

TOOL_CALL_OPEN = "<tool_call>"
TOOL_CALL_CLOSE = "</tool_call>"

#: Upper bound on calls in one response when parallel calls are allowed. A bound,
#: because a small model at temperature 0 can otherwise repeat the same call until
#: it runs out of tokens.
MAX_PARALLEL_CALLS = 8

#: Most items a generated array may hold when its schema sets no ``maxItems``.
#: Thirty-two is over four times the longest array among the 600 accepted
#: answers of BFCL's ``simple`` and ``multiple`` sets (seven items), yet short
#: enough that a runaway list of short strings or numbers (four to six tokens an
#: item) closes within ~200 tokens, well inside the default ``max_tokens`` of 512.
DEFAULT_MAX_ITEMS = 32

CallForm = Literal["after_open_tag", "bare"]

_ESCAPES = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def gbnf_literal(text: str) -> str:
    """Quote ``text`` as a GBNF string literal."""
    return '"' + "".join(_ESCAPES.get(ch, ch) for ch in text) + '"'


def _converter() -> Any:
    grammar_module = require("llama_cpp.llama_grammar", "local")
    return grammar_module.SchemaConverter(
        prop_order={}, allow_fetch=False, dotall=False, raw_pattern=False
    )


def _namespace_defs(node: Any, prefix: str) -> Any:
    """Copy ``node`` with every local ``$defs``/``definitions`` name prefixed.

    The converter names a referenced rule after the last path segment of its
    ``$ref`` and reuses any rule of that name, so two tools that both define
    ``$defs/Item`` would silently share one. Prefixing keeps them apart.
    """
    if isinstance(node, list):
        return [_namespace_defs(item, prefix) for item in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key in ("$defs", "definitions") and isinstance(value, dict):
            out[key] = {f"{prefix}{k}": _namespace_defs(v, prefix) for k, v in value.items()}
        elif key == "$ref" and isinstance(value, str):
            out[key] = re.sub(r"^#/(\$defs|definitions)/", rf"#/\1/{prefix}", value)
        else:
            out[key] = _namespace_defs(value, prefix)
    return out


# Keywords whose values are subschemas: a mapping of them, a list of them, or one
# (``items`` may also be a draft-4 list). Enum and const values are data, never walked.
_SUBSCHEMA_MAPS = ("properties", "patternProperties", "$defs", "definitions", "dependentSchemas")
_SUBSCHEMA_LISTS = ("anyOf", "oneOf", "allOf", "prefixItems")
_SUBSCHEMAS = ("items", "additionalItems", "additionalProperties", "not", "if", "then", "else")


def bound_arrays(schema: Any, cap: int = DEFAULT_MAX_ITEMS) -> Any:
    """Copy ``schema`` with ``maxItems`` set on every array that has an item schema but no bound.

    The bound is ``max(cap, minItems)``: never below what the schema itself
    demands, and an explicit ``maxItems`` (higher or lower) is always kept, so a
    tool that takes long lists says so in its schema and gets them. The bound
    does reject schema-valid arrays longer than ``cap``; they are what a small
    model's repetition loop looks like, and BFCL's accepted answers never come
    near it. Arrays without an item schema keep llama.cpp's generic array rule.

    Args:
        schema: A JSON schema (not modified).
        cap: The bound for arrays whose schema has none.

    Returns:
        The bounded copy (shared leaves, such as enum values, are not copied).
    """
    if not isinstance(schema, dict):
        return schema
    out = dict(schema)
    for key in _SUBSCHEMA_MAPS:
        if isinstance(value := out.get(key), dict):
            out[key] = {name: bound_arrays(sub, cap) for name, sub in value.items()}
    for key in _SUBSCHEMA_LISTS:
        if isinstance(value := out.get(key), list):
            out[key] = [bound_arrays(sub, cap) for sub in value]
    for key in _SUBSCHEMAS:
        value = out.get(key)
        if isinstance(value, dict):
            out[key] = bound_arrays(value, cap)
        elif isinstance(value, list) and key == "items":
            out[key] = [bound_arrays(sub, cap) for sub in value]
    kind = out.get("type")
    if kind in ("array", None) and isinstance(out.get("items"), dict) and "maxItems" not in out:
        min_items = out.get("minItems", 0)
        out["maxItems"] = max(cap, min_items if isinstance(min_items, int) else 0)
    return out


def _visit(converter: Any, schema: dict[str, Any], base: str, rule: str, what: str) -> str:
    """Add ``schema``'s rules to ``converter`` and return the name of its top rule."""
    try:
        schema = bound_arrays(schema)
        namespaced = _namespace_defs(schema, f"{rule}-") if rule else schema
        resolved = converter.resolve_refs(json.loads(json.dumps(namespaced)), base)
        return str(converter.visit(resolved, rule))
    except (AssertionError, KeyError, TypeError, ValueError) as exc:
        raise ValueError(
            f"cannot build a grammar for {what}: unsupported JSON schema ({exc}). "
            "Simplify the schema (plain objects, arrays, enums, $defs refs work)."
        ) from exc


@lru_cache(maxsize=128)
def tool_calls_grammar(
    tools_json: str, allowed: tuple[str, ...], *, form: CallForm, parallel: bool
) -> str:
    """GBNF for tool calls to the ``allowed`` tools among ``tools_json``.

    Args:
        tools_json: The bound tools as OpenAI tool dicts, JSON-encoded (the cache key).
        allowed: Names of the tools a call may use (all bound tools, or the named one).
        form: ``"after_open_tag"``: the output continues right after a ``<tool_call>``
            tag that is already in place (prefilled, or written by the model
            itself); ``"bare"``: one call object with no tags (the form some models,
            like Qwen2.5-Coder, choose on their own).
        parallel: Whether further tagged calls may follow the first (after a
            ``</tool_call>``); otherwise the response ends with the call object.

    Returns:
        The grammar text, root rule ``root``.

    Raises:
        ValueError: No tool is allowed, or a parameter schema cannot be converted.
    """
    tools: list[dict[str, Any]] = json.loads(tools_json)
    functions = [t["function"] for t in tools if t["function"]["name"] in allowed]
    if not functions:
        raise ValueError("a tool-call grammar needs at least one allowed tool")
    converter = _converter()
    alternatives = []
    for i, function in enumerate(functions):
        parameters = function.get("parameters") or {"type": "object", "properties": {}}
        args_rule = _visit(
            converter, parameters, f"tool{i}", f"args{i}", f"tool {function['name']!r}"
        )
        name = gbnf_literal(json.dumps(function["name"]))
        alternatives.append(
            f'"{{" space "\\"name\\"" space ":" space {name} space "," space '
            f'"\\"arguments\\"" space ":" space {args_rule} "}}" space'
        )
    rules = [converter.format_grammar()]
    rules.append("call ::= " + " | ".join(f"( {alt} )" for alt in alternatives))
    if form == "bare" or not parallel:
        # The closing tag is markup, not a decision: the grammar ends with the call
        # object, so the only next token it allows is end-of-turn.
        rules.append('root ::= "\\n"? call' if form != "bare" else "root ::= call")
    else:
        close, open_ = gbnf_literal(TOOL_CALL_CLOSE), gbnf_literal(TOOL_CALL_OPEN)
        repeat = f'( "\\n"? {open_} "\\n"? call "\\n"? {close} ){{0,{MAX_PARALLEL_CALLS - 1}}}'
        rules.append(f'root ::= "\\n"? call ( "\\n"? {close} {repeat} )?')
    return "\n".join(rules) + "\n"


@lru_cache(maxsize=64)
def json_schema_grammar(schema_json: str) -> str:
    """GBNF for one JSON value matching the JSON schema ``schema_json``.

    Raises:
        ValueError: The schema uses a construct the converter does not support.
    """
    converter = _converter()
    _visit(converter, json.loads(schema_json), "schema", "", "the output schema")
    return str(converter.format_grammar()) + "\n"


def json_object_grammar() -> str:
    """GBNF for any JSON object (``json_mode``)."""
    return json_schema_grammar(json.dumps({"type": "object"}))
