"""Is a tool call *well-formed*? It names an offered tool and its arguments fit the schema.

This is the property grammar-constrained decoding promises, so the benchmark
checks it independently of the decoder, with ``jsonschema`` rather than the
grammar that produced the call. Right or wrong is a separate question
(:mod:`hetero_agents.evals.ast_match`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from jsonschema.protocols import Validator


class ToolCallValidator:
    """Validates calls against a fixed set of OpenAI tool schemas.

    The JSON Schema validators are built once, when the tools are given, so a
    benchmark pays for schema compilation once per question, not per call.
    ``jsonschema`` (a core dependency) is imported here, not at module import:
    it takes ~70 ms and most users of :mod:`hetero_agents.evals` never need it.

    Args:
        tools: OpenAI tool dicts (``{"type": "function", "function": {...}}``).

    Raises:
        jsonschema.exceptions.SchemaError: A tool's parameters are not valid JSON Schema.
    """

    def __init__(self, tools: Sequence[Mapping[str, Any]]) -> None:
        import jsonschema

        self._best_match = jsonschema.exceptions.best_match
        self._validators: dict[str, Validator] = {}
        for tool in tools:
            function = tool.get("function", tool)
            parameters = function.get("parameters") or {"type": "object", "properties": {}}
            validator_cls = jsonschema.validators.validator_for(parameters)
            validator_cls.check_schema(parameters)
            self._validators[function["name"]] = validator_cls(parameters)

    def problem(self, call: Mapping[str, Any]) -> str | None:
        """Why ``call`` is not a valid call of one of the tools, or ``None`` if it is."""
        name = call.get("name")
        validator = self._validators.get(name) if isinstance(name, str) else None
        if validator is None:
            return f"{name!r} is not one of the offered tools {sorted(self._validators)}"
        args = call.get("args")
        if not isinstance(args, Mapping):
            return f"arguments are not an object: {args!r}"
        error = self._best_match(validator.iter_errors(dict(args)))
        if error is None:
            return None
        where = "/".join(str(p) for p in error.absolute_path) or "(arguments)"
        return f"{where}: {error.message}"

    def all_valid(self, calls: Sequence[Mapping[str, Any]]) -> bool:
        """True when there is at least one call and every call is valid."""
        return bool(calls) and all(self.problem(c) is None for c in calls)
