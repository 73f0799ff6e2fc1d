"""``with_structured_output`` for ChatLlamaCpp: a grammar-constrained model plus a parser.

Three methods, all constrained by grammar so the parser never sees malformed JSON:

* ``json_schema`` (default): the response *is* one JSON value matching the schema;
  the schema is also shown to the model so that it knows what the fields mean.
* ``function_calling``: the schema becomes a tool that the model must call (the
  LangChain-default route; useful when the same prompt also serves tool calling).
* ``json_mode``: a JSON object whose shape the caller's prompt describes; a schema,
  if given, still constrains the grammar (it is not described to the model).
"""

from __future__ import annotations

import json
from typing import Any, Literal

from langchain_core.language_models import BaseChatModel, LanguageModelInput
from langchain_core.output_parsers import (
    BaseOutputParser,
    JsonOutputKeyToolsParser,
    JsonOutputParser,
    PydanticOutputParser,
    PydanticToolsParser,
)
from langchain_core.runnables import Runnable
from langchain_core.utils.function_calling import convert_to_json_schema, convert_to_openai_tool
from langchain_core.utils.pydantic import is_basemodel_subclass

from hetero_agents._structured_output import with_parser

StructuredMethod = Literal["json_schema", "function_calling", "json_mode"]

_METHODS: tuple[str, ...] = ("json_schema", "function_calling", "json_mode")


def output_json_schema(schema: dict[str, Any] | type) -> dict[str, Any]:
    """The JSON schema for ``schema`` (pydantic model, TypedDict, or JSON schema)."""
    json_schema = convert_to_json_schema(schema)
    if json_schema.get("description") == dict.__doc__:  # a TypedDict without a docstring
        json_schema.pop("description")
    return json_schema


def schema_instructions(json_schema: dict[str, Any] | None) -> str:
    """System-prompt text that asks for JSON (matching ``json_schema`` if given)."""
    if json_schema is None:
        return "Reply with only a JSON object."
    compact = json.dumps(json_schema, ensure_ascii=False, separators=(",", ":"))
    return f"Reply with only a JSON object that matches this JSON schema:\n{compact}"


def _is_pydantic(schema: Any) -> bool:
    return isinstance(schema, type) and is_basemodel_subclass(schema)


def structured_runnable(
    model: BaseChatModel,
    schema: dict[str, Any] | type | None,
    *,
    method: str,
    include_raw: bool,
    strict: bool | None,
) -> Runnable[LanguageModelInput, Any]:
    """Build the ``with_structured_output`` runnable for ``model``.

    Raises:
        ValueError: Unknown ``method``, or no schema for a method that needs one.
    """
    if method not in _METHODS:
        raise ValueError(f"unknown method {method!r}; use one of {', '.join(_METHODS)}")
    if schema is None and method != "json_mode":
        raise ValueError(f"method={method!r} needs a schema (or use method='json_mode')")
    traced = {"kwargs": {"method": method, "strict": strict}, "schema": schema}
    parser: BaseOutputParser[Any]
    if method == "function_calling":
        assert schema is not None
        name = convert_to_openai_tool(schema)["function"]["name"]
        llm = model.bind_tools(
            [schema],
            tool_choice=name,
            parallel_tool_calls=False,
            ls_structured_output_format=traced,
        )
        parser = (
            PydanticToolsParser(tools=[schema], first_tool_only=True)  # type: ignore[list-item]
            if _is_pydantic(schema)
            else JsonOutputKeyToolsParser(key_name=name, first_tool_only=True)
        )
    else:
        if method == "json_schema":
            assert schema is not None
            json_schema = output_json_schema(schema)
            response_format: dict[str, Any] = {
                "type": "json_schema",
                "json_schema": {"name": json_schema.get("title", "output"), "schema": json_schema},
            }
        else:
            response_format = {"type": "json_object"}
            if schema is not None:
                response_format["schema"] = output_json_schema(schema)
        llm = model.bind(
            response_format=response_format,
            ls_structured_output_format=traced if schema is not None else None,
        )
        parser = (
            PydanticOutputParser(pydantic_object=schema)  # type: ignore[arg-type]
            if _is_pydantic(schema)
            else JsonOutputParser()
        )
    return with_parser(llm, parser, include_raw=include_raw)
