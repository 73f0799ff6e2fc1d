"""Turn BFCL's function documents into OpenAI tool schemas that are valid JSON Schema.

BFCL writes parameter types the Python way (``"dict"``, ``"float"``, ``"tuple"``,
``"any"``) and sprinkles in keys that are not JSON Schema (``"optional"``) or
defaults of the wrong type (``"default": "false"`` on a boolean). A grammar
compiler and ``jsonschema`` both need the real thing, so every document is
rewritten once, at load time, into a strict schema: known types mapped the way
BFCL's own OpenAI handler maps them, object properties closed with
``additionalProperties: false`` (BFCL scores an unknown argument as wrong, so the
schema should reject it too), and impossible defaults repaired or dropped.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from hetero_agents.errors import EvalDataError

# BFCL (Python categories) type name -> JSON Schema type. "tuple" and "any" follow the
# mapping BFCL itself uses when it sends these functions to OpenAI-style APIs.
_TYPE_MAP: dict[str, str] = {
    "string": "string",
    "any": "string",
    "integer": "integer",
    "float": "number",
    "number": "number",
    "boolean": "boolean",
    "bool": "boolean",
    "array": "array",
    "tuple": "array",
    "list": "array",
    "dict": "object",
    "object": "object",
}

# Keys copied unchanged: the JSON Schema vocabulary BFCL's Python data actually uses.
_KEPT_KEYS = ("description", "enum", "format", "minimum", "maximum")

_BOOLEAN_WORDS = {"true": True, "false": False}


def bfcl_function_to_tool(function: Mapping[str, Any]) -> dict[str, Any]:
    """Convert one BFCL function document into an OpenAI ``{"type": "function"}`` tool.

    Args:
        function: A BFCL function document (``name``, ``description``,
            ``parameters`` with BFCL type names).

    Returns:
        A tool dict whose ``function.parameters`` is a valid, closed JSON Schema.

    Raises:
        EvalDataError: The document has no name or uses a type BFCL's Python
            categories never use (the data is not what this loader understands).
    """
    name = function.get("name")
    if not isinstance(name, str) or not name:
        raise EvalDataError(f"BFCL function document without a name: {dict(function)!r}")
    parameters = function.get("parameters") or {"type": "dict", "properties": {}}
    return {
        "type": "function",
        "function": {
            "name": name,
            "description": str(function.get("description", "")),
            "parameters": _convert(parameters, where=name),
        },
    }


def _convert(schema: Mapping[str, Any], *, where: str) -> dict[str, Any]:
    bfcl_type = schema.get("type", "dict")
    json_type = _TYPE_MAP.get(bfcl_type) if isinstance(bfcl_type, str) else None
    if json_type is None:
        raise EvalDataError(f"unsupported BFCL type {bfcl_type!r} at {where}")
    out: dict[str, Any] = {"type": json_type}
    for key in _KEPT_KEYS:
        if key in schema:
            out[key] = schema[key]
    if "default" in schema:
        default = _repair_default(schema["default"], json_type)
        if default is not _INVALID:
            out["default"] = default
    if json_type == "object" and "properties" in schema:
        properties = schema["properties"]
        out["properties"] = {
            prop: _convert(sub, where=f"{where}.{prop}") for prop, sub in properties.items()
        }
        # Keep only names that exist: a dangling "required" would make the schema unsatisfiable.
        out["required"] = [req for req in schema.get("required", []) if req in properties]
        out["additionalProperties"] = False
    elif json_type == "array" and isinstance(schema.get("items"), Mapping):
        out["items"] = _convert(schema["items"], where=f"{where}[]")
    return out


_INVALID = object()


def _repair_default(value: Any, json_type: str) -> Any:
    """Return a default of the right type, or ``_INVALID`` when it cannot be one.

    BFCL writes some boolean defaults as the strings ``"false"`` / ``"False"``;
    those are recoverable. Anything else of the wrong type is dropped, since a
    default is documentation here and never changes what the checker accepts.
    """
    if json_type == "boolean":
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in _BOOLEAN_WORDS:
            return _BOOLEAN_WORDS[value.lower()]
        return _INVALID
    expected: dict[str, type | tuple[type, ...]] = {
        "string": str,
        "integer": int,
        "number": (int, float),
        "array": (list, tuple),
        "object": dict,
    }
    python_type = expected[json_type]
    if isinstance(value, bool) or not isinstance(value, python_type):
        return _INVALID
    return value
