"""BFCL function documents become valid, closed JSON Schema."""

from __future__ import annotations

import jsonschema
import pytest

from hetero_agents.errors import EvalDataError
from hetero_agents.evals._schema import bfcl_function_to_tool

DOC = {
    "name": "db.query",
    "description": "Query a table.",
    "parameters": {
        "type": "dict",
        "properties": {
            "limit": {"type": "integer", "maximum": 400, "optional": True, "default": 10},
            "ratio": {"type": "float", "default": "high"},
            "full": {"type": "boolean", "default": "False"},
            "point": {"type": "tuple", "items": {"type": "float"}},
            "anything": {"type": "any"},
            "where": {
                "type": "dict",
                "properties": {"col": {"type": "string", "enum": ["a", "b"]}},
            },
            "extra": {"type": "dict", "description": "free-form"},
        },
        "required": ["limit", "ghost"],
    },
}


def test_types_keys_and_defaults_are_repaired() -> None:
    tool = bfcl_function_to_tool(DOC)
    assert tool["function"]["name"] == "db.query"
    params = tool["function"]["parameters"]
    jsonschema.Draft202012Validator.check_schema(params)
    props = params["properties"]
    assert props["limit"] == {
        "type": "integer",
        "maximum": 400,
        "default": 10,
    }  # "optional" dropped
    assert props["ratio"] == {"type": "number"}  # a default of the wrong type is dropped
    assert props["full"]["default"] is False  # "False" read as the boolean it means
    assert props["point"] == {"type": "array", "items": {"type": "number"}}
    assert props["anything"] == {"type": "string"}
    assert props["where"]["additionalProperties"] is False
    assert props["where"]["properties"]["col"]["enum"] == ["a", "b"]
    assert props["extra"] == {"type": "object", "description": "free-form"}  # stays open
    assert params["required"] == ["limit"]  # a dangling name would make it unsatisfiable
    assert params["additionalProperties"] is False


def test_no_parameters_means_an_empty_object() -> None:
    tool = bfcl_function_to_tool({"name": "ping"})
    assert tool["function"]["parameters"] == {
        "type": "object",
        "properties": {},
        "required": [],
        "additionalProperties": False,
    }


@pytest.mark.parametrize(
    "doc",
    [
        {"description": "no name"},
        {"name": "f", "parameters": {"type": "dict", "properties": {"x": {"type": "HashMap"}}}},
    ],
)
def test_unusable_documents_are_typed_errors(doc: dict[str, object]) -> None:
    with pytest.raises(EvalDataError):
        bfcl_function_to_tool(doc)
