"""``with_structured_output`` for the router: one schema, enforced on every tier.

Two ways to ask for structured output, both bound on the router so that every
tier gets its own native form of the same request:

* ``function_calling`` (default): the schema becomes a tool the model must
  call. Every tool-calling tier supports it, ``ChatLlamaCpp`` grammar-constrains
  it, and the cascade validates the arguments against the schema.
* ``json_schema`` / ``json_mode``: the model answers with JSON text; each tier
  gets the kwargs its own ``with_structured_output(method="json_schema")``
  binds, and the cascade validates the text against the schema.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from langchain_core.output_parsers import JsonOutputParser, PydanticOutputParser
from langchain_core.output_parsers.openai_tools import (
    JsonOutputKeyToolsParser,
    PydanticToolsParser,
)
from langchain_core.runnables import Runnable
from langchain_core.utils.function_calling import (
    convert_to_json_schema,
    convert_to_openai_tool,
)
from langchain_core.utils.pydantic import is_basemodel_subclass

from hetero_agents._structured_output import with_parser

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel, LanguageModelInput

StructuredMethod = Literal["function_calling", "json_schema", "json_mode"]
METHODS: tuple[StructuredMethod, ...] = ("function_calling", "json_schema", "json_mode")


def structured_runnable(
    model: BaseChatModel,
    schema: dict[str, Any] | type | None,
    *,
    method: StructuredMethod,
    include_raw: bool,
    strict: bool | None,
) -> Runnable[LanguageModelInput, Any]:
    """Bind ``schema`` on ``model`` the ``method`` way and attach the matching parser."""
    if method not in METHODS:
        raise ValueError(f"method must be one of {', '.join(METHODS)}, not {method!r}")
    if schema is None and method != "json_mode":
        raise ValueError(f"a schema is required for method={method!r}")
    is_pydantic = isinstance(schema, type) and is_basemodel_subclass(schema)
    parser: Runnable[Any, Any]
    if method == "function_calling":
        assert schema is not None
        tool = convert_to_openai_tool(schema, strict=strict)
        name = tool["function"]["name"]
        bound = model.bind_tools(
            [tool],
            tool_choice=name,
            ls_structured_output_format={"kwargs": {"method": method}, "schema": tool},
        )
        if is_pydantic:
            parser = PydanticToolsParser(tools=[schema], first_tool_only=True)  # type: ignore[list-item]
        else:
            parser = JsonOutputKeyToolsParser(key_name=name, first_tool_only=True)
    else:
        if method == "json_schema":
            assert schema is not None
            json_schema = convert_to_json_schema(schema, strict=strict)
            response_format: dict[str, Any] = {
                "type": "json_schema",
                "json_schema": {
                    "name": json_schema.get("title", "output"),
                    "schema": json_schema,
                    **({"strict": strict} if strict is not None else {}),
                },
            }
        else:
            response_format = {"type": "json_object"}
        bound = model.bind(
            response_format=response_format,
            ls_structured_output_format={"kwargs": {"method": method}, "schema": schema},
        )
        parser = (
            PydanticOutputParser(pydantic_object=schema)  # type: ignore[arg-type]
            if is_pydantic
            else JsonOutputParser()
        )
    return with_parser(bound, parser, include_raw=include_raw)
