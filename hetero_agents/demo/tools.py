"""BFCL's functions as LangChain tools that the demo's ``ToolNode`` really executes.

BFCL ships function *documents*, not implementations, so each tool here is a
deterministic stand-in: it validates nothing beyond what its schema says,
returns a short receipt naming the call it received, and that execution is
what ``CallLogger`` records as a tool run linked to the model call that asked
for it. The receipt gives the ``answer`` node something concrete to report.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from langchain_core.tools import BaseTool, StructuredTool


def bfcl_tool(spec: Mapping[str, Any]) -> BaseTool:
    """A tool with the name, description and argument schema of an OpenAI-format function.

    Args:
        spec: ``{"type": "function", "function": {"name", "description", "parameters"}}``.
    """
    function = spec["function"]
    name = str(function["name"])

    def run(**arguments: Any) -> str:
        shown = json.dumps(arguments, sort_keys=True, ensure_ascii=False)
        return f"done: {name} ran with {shown}"

    return StructuredTool.from_function(
        func=run,
        name=name,
        description=str(function.get("description") or name),
        args_schema=dict(function["parameters"]),
    )


CHOOSE_FUNCTION = "choose_function"


def choose_function_tool(names: list[str]) -> dict[str, Any]:
    """The triage node's only tool: pick one of the offered functions by name.

    Its ``enum`` makes a grammar-constrained SLM unable to name anything else.
    """
    return {
        "type": "function",
        "function": {
            "name": CHOOSE_FUNCTION,
            "description": "Choose the one function that serves the user's request.",
            "parameters": {
                "type": "object",
                "properties": {"function": {"type": "string", "enum": sorted(names)}},
                "required": ["function"],
                "additionalProperties": False,
            },
        },
    }


__all__ = ["CHOOSE_FUNCTION", "bfcl_tool", "choose_function_tool"]
