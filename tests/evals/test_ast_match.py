"""BFCL-style AST matching on hand-made questions: right calls pass, near-misses fail."""

from __future__ import annotations

from typing import Any

import pytest

from hetero_agents.evals import BfclQuestion, MatchResult, PossibleCall, ast_match, calls_match
from hetero_agents.evals._schema import bfcl_function_to_tool

AREA = bfcl_function_to_tool(
    {
        "name": "geometry.area",
        "description": "Area of a shape.",
        "parameters": {
            "type": "dict",
            "properties": {
                "shape": {"type": "string", "enum": ["circle", "square"]},
                "size": {"type": "float"},
                "unit": {"type": "string"},
                "precise": {"type": "boolean"},
                "sides": {"type": "array", "items": {"type": "integer"}},
                "box": {
                    "type": "dict",
                    "properties": {"w": {"type": "integer"}, "h": {"type": "integer"}},
                },
                "filters": {
                    "type": "array",
                    "items": {
                        "type": "dict",
                        "properties": {"field": {"type": "string"}, "op": {"type": "string"}},
                    },
                },
            },
            "required": ["shape", "size"],
        },
    }
)
OTHER = bfcl_function_to_tool(
    {"name": "other", "description": "", "parameters": {"type": "dict", "properties": {}}}
)

QUESTION = BfclQuestion(
    id="hand_0",
    category="multiple",
    messages=({"role": "user", "content": "?"},),
    tools=(AREA, OTHER),
    ground_truth=(
        PossibleCall(
            name="geometry.area",
            allowed={
                "shape": ["circle"],
                "size": [2.5, 3.0],
                "unit": ["square meters", "m2", ""],
                "precise": ["", True],
                "sides": [[3, 4, 5], ""],
                "box": [{"w": [2], "h": [3, ""]}, ""],
                "filters": [[{"field": ["age"], "op": [">"]}, {"field": ["job"], "op": ["="]}], ""],
            },
        ),
    ),
)


def call(**args: Any) -> dict[str, Any]:
    return {"name": "geometry.area", "args": {"shape": "circle", "size": 2.5, **args}}


def check(*calls: dict[str, Any]) -> MatchResult:
    return ast_match(list(calls), QUESTION)


@pytest.mark.parametrize(
    "candidate",
    [
        call(),
        call(size=3),  # int accepted for a float
        call(unit="Square-Meters"),  # BFCL string normalisation: case, spaces, punctuation
        call(unit="m2", precise=True),
        call(sides=[3, 4, 5]),
        call(sides=(3, 4, 5)),  # a tuple is a list
        call(box={"w": 2}),  # optional key of a dict candidate left out
        call(box={"w": 2, "h": 3}),
        call(filters=[{"field": "AGE", "op": ">"}, {"field": "job", "op": "="}]),
    ],
)
def test_accepted_calls_match(candidate: dict[str, Any]) -> None:
    assert check(candidate) == MatchResult(ok=True)


@pytest.mark.parametrize(
    ("candidate", "kind"),
    [
        ({"name": "other", "args": {}}, "wrong_name"),
        ({"name": "geometry_area", "args": {"shape": "circle", "size": 2.5}}, "wrong_name"),
        ({"name": "geometry.area", "args": {"shape": "circle"}}, "missing_required"),
        ({"name": "geometry.area", "args": "shape=circle"}, "bad_arguments"),
        (call(color="red"), "unexpected_param"),
        (call(size="2.5"), "type"),  # a numeric string is not a number
        (call(precise=1), "type"),  # an int is not a bool
        (call(sides=[3, 4, 5.5]), "type"),  # array items are type-checked
        (call(size=2.4), "value"),
        (call(shape="square"), "value"),
        (call(unit="square feet"), "value"),
        (call(precise=False), "value"),
        (call(sides=[3, 5, 4]), "value"),  # order matters in lists
        (call(sides=[3, 4]), "value"),
        (call(box={"w": 3}), "value"),
        (call(box={"w": 2, "d": 1}), "value"),  # unknown key in a dict argument
        (call(filters=[{"field": "job", "op": "="}, {"field": "age", "op": ">"}]), "value"),
        (call(filters=[{"field": "age", "op": ">"}]), "value"),
    ],
)
def test_near_misses_fail_with_the_right_reason(candidate: dict[str, Any], kind: str) -> None:
    result = check(candidate)
    assert not result.ok
    assert result.kind == kind
    assert result.detail


def test_call_count_must_match() -> None:
    assert check().kind == "wrong_count"
    assert check(call(), call()).kind == "wrong_count"


def test_required_looking_optional_must_be_given() -> None:
    # "unit" may be left out only because its accepted values contain "": remove that.
    strict = BfclQuestion(
        id="hand_1",
        category="simple",
        messages=QUESTION.messages,
        tools=(AREA,),
        ground_truth=(
            PossibleCall("geometry.area", {"shape": ["circle"], "size": [2.5], "unit": ["m2"]}),
        ),
    )
    assert ast_match([call()], strict).kind == "missing_optional"
    assert ast_match([call(unit="m2")], strict).ok


def test_variable_typed_answer_is_compared_exactly() -> None:
    # BFCL's "variable" case: the answer has another type than the schema declares.
    odd = BfclQuestion(
        id="hand_2",
        category="simple",
        messages=QUESTION.messages,
        tools=(AREA,),
        ground_truth=(
            PossibleCall("geometry.area", {"shape": ["circle"], "size": ["radius_var"]}),
        ),
    )
    assert ast_match([call(size="radius_var")], odd).ok
    assert ast_match([call(size="Radius_Var")], odd).kind == "value"


SCHEMA = AREA["function"]["parameters"] | {
    "properties": AREA["function"]["parameters"]["properties"]
    | {"unit": {"type": "string", "default": "m2"}}
}


def test_calls_match_normalises_types_and_defaults() -> None:
    ref: dict[str, Any] = {
        "name": "geometry.area",
        "args": {"shape": "circle", "size": 2.0, "unit": "m2"},
    }
    assert calls_match(
        {"name": "geometry.area", "args": {"shape": "Circle", "size": 2}}, ref, SCHEMA
    ).ok
    assert calls_match(
        {"name": "geometry.area", "args": {"shape": "circle", "size": "2"}}, ref, SCHEMA
    ).ok
    flags = {
        "name": "geometry.area",
        "args": {"shape": "circle", "size": 2, "unit": "m2", "precise": "true"},
    }
    with_flag = {"name": "geometry.area", "args": {**ref["args"], "precise": True}}
    assert calls_match(flags, with_flag, SCHEMA).ok


@pytest.mark.parametrize(
    ("predicted", "kind"),
    [
        ({"name": "other", "args": {}}, "wrong_name"),
        (
            {"name": "geometry.area", "args": {"shape": "circle", "size": 2.5, "unit": "m2"}},
            "value",
        ),
        ({"name": "geometry.area", "args": {"shape": "circle", "unit": "m2"}}, "missing_required"),
        (
            {"name": "geometry.area", "args": {"shape": "circle", "size": 2, "precise": True}},
            "unexpected_param",
        ),
        ({"name": "geometry.area", "args": {"shape": "circle", "size": True}}, "value"),
        ({"name": "geometry.area", "args": None}, "bad_arguments"),
    ],
)
def test_calls_match_rejects_different_calls(predicted: dict[str, Any], kind: str) -> None:
    ref = {"name": "geometry.area", "args": {"shape": "circle", "size": 2}}
    result = calls_match(predicted, ref, SCHEMA)
    assert (result.ok, result.kind) == (False, kind)


def test_calls_match_strict_strings_and_no_schema() -> None:
    a = {"name": "f", "args": {"city": "New York"}}
    b = {"name": "f", "args": {"city": "new york"}}
    assert calls_match(a, b).ok
    assert calls_match(a, b, lenient_strings=False).kind == "value"
    # Without a schema there is no default to fill a missing argument with.
    assert calls_match({"name": "f", "args": {}}, b).kind == "missing_required"
