"""The grammars accept exactly the valid calls: checked token by token in llama.cpp.

What this guards is the core promise of the chat model: a constrained tool call
always names an allowed tool and its arguments match *that* tool's schema.
"""

from __future__ import annotations

import ctypes
import json
from typing import Any, Literal

import numpy as np
import pytest

from hetero_agents.chat_models._grammar import (
    DEFAULT_MAX_ITEMS,
    bound_arrays,
    json_schema_grammar,
    tool_calls_grammar,
)

TOOLS = json.dumps(
    [
        {
            "type": "function",
            "function": {
                "name": "magic_function",
                "parameters": {
                    "type": "object",
                    "properties": {"input": {"type": "integer"}},
                    "required": ["input"],
                },
            },
        },
        {
            "type": "function",
            "function": {
                "name": "get_weather",
                "parameters": {
                    "type": "object",
                    "properties": {
                        "location": {"type": "string"},
                        "unit": {"enum": ["C", "F"]},
                    },
                    "required": ["location"],
                },
            },
        },
        {
            "type": "function",
            "function": {"name": "now", "parameters": {"type": "object", "properties": {}}},
        },
    ]
)
ALL = ("magic_function", "get_weather", "now")

Verdict = Literal["complete", "incomplete", "rejected"]


def judge(llama: Any, grammar: str, text: str) -> Verdict:
    """Feed ``text`` through llama.cpp's grammar sampler for ``grammar``."""
    import llama_cpp as lib

    vocab = lib.llama_model_get_vocab(llama.model)
    sampler = lib.llama_sampler_init_grammar(vocab, grammar.encode(), b"root")
    assert sampler, "llama.cpp could not parse the grammar"
    one = np.zeros(
        1, dtype=np.dtype([("id", np.int32), ("logit", np.float32), ("p", np.float32)], align=True)
    )

    def allowed(token: int) -> bool:
        one["id"][0], one["logit"][0] = token, 0.0
        view = lib.llama_token_data_array(
            data=ctypes.cast(one.ctypes.data, lib.llama_token_data_p),
            size=1,
            selected=-1,
            sorted=False,
        )
        lib.llama_sampler_apply(sampler, ctypes.byref(view))
        return bool(np.isfinite(one["logit"][0]))

    try:
        for token in llama.tokenize(text.encode(), add_bos=False, special=False):
            if not allowed(token):
                return "rejected"
            lib.llama_sampler_accept(sampler, token)
        return "complete" if allowed(llama.token_eos()) else "incomplete"
    finally:
        lib.llama_sampler_free(sampler)


def call(name: str, args: dict[str, Any]) -> str:
    return json.dumps({"name": name, "arguments": args})


pytestmark = pytest.mark.model


@pytest.mark.parametrize(
    ("text", "verdict"),
    [
        ("\n" + call("magic_function", {"input": 3}), "complete"),
        (call("get_weather", {"location": "Oslo", "unit": "C"}), "complete"),
        (call("now", {}), "complete"),
        (call("search", {"q": "x"}), "rejected"),  # not a bound tool
        (call("magic_function", {"input": "3"}), "rejected"),  # wrong type
        (call("magic_function", {}), "rejected"),  # missing required argument
        (call("magic_function", {"input": 3, "extra": 1}), "rejected"),  # unknown argument
        (call("get_weather", {"location": "Oslo", "unit": "K"}), "rejected"),  # not in enum
        (call("now", {"input": 3}), "rejected"),  # another tool's arguments
        (call("magic_function", {"input": 3})[:-2], "incomplete"),
        (call("now", {}) + "\n</tool_call>", "rejected"),  # one call only: end of turn next
    ],
)
def test_single_call_grammar(smollm2_llama: Any, text: str, verdict: Verdict) -> None:
    grammar = tool_calls_grammar(TOOLS, ALL, form="after_open_tag", parallel=False)
    assert judge(smollm2_llama, grammar, text) == verdict


def test_named_choice_allows_only_that_tool(smollm2_llama: Any) -> None:
    grammar = tool_calls_grammar(TOOLS, ("get_weather",), form="after_open_tag", parallel=False)
    assert judge(smollm2_llama, grammar, call("get_weather", {"location": "Oslo"})) == "complete"
    assert judge(smollm2_llama, grammar, call("magic_function", {"input": 3})) == "rejected"


def test_parallel_grammar_takes_several_tagged_calls(smollm2_llama: Any) -> None:
    grammar = tool_calls_grammar(TOOLS, ALL, form="after_open_tag", parallel=True)
    first = "\n" + call("now", {}) + "\n</tool_call>"
    second = "\n<tool_call>\n" + call("magic_function", {"input": 1}) + "\n</tool_call>"
    assert judge(smollm2_llama, grammar, "\n" + call("now", {})) == "complete"
    assert judge(smollm2_llama, grammar, first + second) == "complete"
    assert judge(smollm2_llama, grammar, first + "\nhello") == "rejected"


def test_bare_grammar_is_one_untagged_call(smollm2_llama: Any) -> None:
    grammar = tool_calls_grammar(TOOLS, ALL, form="bare", parallel=False)
    assert judge(smollm2_llama, grammar, call("now", {})) == "complete"
    assert judge(smollm2_llama, grammar, "<tool_call>" + call("now", {})) == "rejected"


def test_tools_with_same_named_defs_do_not_share_rules(smollm2_llama: Any) -> None:
    def tool(name: str, item: dict[str, Any]) -> dict[str, Any]:
        return {
            "type": "function",
            "function": {
                "name": name,
                "parameters": {
                    "$defs": {"Item": item},
                    "type": "object",
                    "properties": {"items": {"type": "array", "items": {"$ref": "#/$defs/Item"}}},
                    "required": ["items"],
                },
            },
        }

    tools = json.dumps(
        [
            tool(
                "a", {"type": "object", "properties": {"n": {"type": "string"}}, "required": ["n"]}
            ),
            tool(
                "b", {"type": "object", "properties": {"k": {"type": "integer"}}, "required": ["k"]}
            ),
        ]
    )
    grammar = tool_calls_grammar(tools, ("a", "b"), form="bare", parallel=False)
    assert judge(smollm2_llama, grammar, call("a", {"items": [{"n": "x"}]})) == "complete"
    assert judge(smollm2_llama, grammar, call("b", {"items": [{"k": 1}]})) == "complete"
    assert judge(smollm2_llama, grammar, call("b", {"items": [{"n": "x"}]})) == "rejected"


def test_schema_grammar_for_structured_output(smollm2_llama: Any) -> None:
    schema = {
        "type": "object",
        "properties": {"setup": {"type": "string"}, "punchline": {"type": "string"}},
        "required": ["setup", "punchline"],
    }
    grammar = json_schema_grammar(json.dumps(schema))
    assert judge(smollm2_llama, grammar, '{"setup": "a", "punchline": "b"}') == "complete"
    assert judge(smollm2_llama, grammar, '{"setup": "a"}') == "rejected"
    assert judge(smollm2_llama, grammar, 'Sure! {"setup"') == "rejected"


def test_unsupported_schema_is_a_clear_value_error() -> None:
    with pytest.raises(ValueError, match="unsupported JSON schema"):
        json_schema_grammar(json.dumps({"type": "object", "properties": {"x": {"type": "widget"}}}))


def test_grammar_text_is_cached() -> None:
    first = tool_calls_grammar(TOOLS, ALL, form="bare", parallel=False)
    assert tool_calls_grammar(TOOLS, ALL, form="bare", parallel=False) is first


# --- array bounds: a small model's repetition loop must end in a complete call ---------------


def list_tool(array: dict[str, Any]) -> str:
    return json.dumps(
        [
            {
                "type": "function",
                "function": {
                    "name": "plan_route",
                    "parameters": {
                        "type": "object",
                        "properties": {"stops": array},
                        "required": ["stops"],
                    },
                },
            }
        ]
    )


def stops(n: int) -> str:
    return call("plan_route", {"stops": ["Santa Barbara"] * n})


def test_open_array_is_bounded_at_the_default_cap(smollm2_llama: Any) -> None:
    tools = list_tool({"type": "array", "items": {"type": "string"}})
    grammar = tool_calls_grammar(tools, ("plan_route",), form="bare", parallel=False)
    assert judge(smollm2_llama, grammar, stops(0)) == "complete"
    assert judge(smollm2_llama, grammar, stops(DEFAULT_MAX_ITEMS)) == "complete"
    assert judge(smollm2_llama, grammar, stops(DEFAULT_MAX_ITEMS + 1)) == "rejected"


@pytest.mark.parametrize(
    ("array", "longest"),
    [
        ({"type": "array", "items": {"type": "string"}, "maxItems": 2}, 2),  # tighter: kept
        ({"type": "array", "items": {"type": "string"}, "maxItems": 40}, 40),  # looser: kept
        ({"type": "array", "items": {"type": "string"}, "minItems": 36}, 36),  # never below min
    ],
)
def test_schema_bounds_are_respected(
    smollm2_llama: Any, array: dict[str, Any], longest: int
) -> None:
    grammar = tool_calls_grammar(list_tool(array), ("plan_route",), form="bare", parallel=False)
    assert judge(smollm2_llama, grammar, stops(longest)) == "complete"
    assert judge(smollm2_llama, grammar, stops(longest + 1)) == "rejected"


def test_structured_output_arrays_are_bounded_too(smollm2_llama: Any) -> None:
    schema = {
        "type": "object",
        "properties": {"tags": {"type": "array", "items": {"type": "integer"}}},
    }
    grammar = json_schema_grammar(json.dumps(schema))
    tags = [
        json.dumps({"tags": list(range(n))}) for n in (DEFAULT_MAX_ITEMS, DEFAULT_MAX_ITEMS + 1)
    ]
    assert judge(smollm2_llama, grammar, tags[0]) == "complete"
    assert judge(smollm2_llama, grammar, tags[1]) == "rejected"


def test_bound_arrays_reaches_every_subschema_and_nothing_else() -> None:
    strings = {"type": "array", "items": {"type": "string"}}
    schema = {
        "type": "object",
        "$defs": {"Row": {"type": "array", "items": strings}},
        "properties": {
            # Property *names* that look like keywords are names, not keywords.
            "items": {"anyOf": [strings, {"type": "null"}]},
            "maxItems": {"$ref": "#/$defs/Row"},
            "mode": {"enum": [{"type": "array", "items": {}}]},  # data, not a schema
            "pair": {"type": "array", "prefixItems": [strings, {"type": "integer"}]},
        },
    }
    original = json.dumps(schema)
    bounded = bound_arrays(schema, cap=5)
    assert json.dumps(schema) == original  # the input is not modified
    row = bounded["$defs"]["Row"]
    assert row["maxItems"] == 5
    assert row["items"]["maxItems"] == 5
    assert bounded["properties"]["items"]["anyOf"][0]["maxItems"] == 5
    assert bounded["properties"].keys() == schema["properties"].keys()
    assert bounded["properties"]["mode"] == schema["properties"]["mode"]
    assert "maxItems" not in bounded["properties"]["pair"]  # a fixed tuple is bounded already
    assert bounded["properties"]["pair"]["prefixItems"][0]["maxItems"] == 5
    assert bound_arrays({"type": "array"}, cap=5) == {"type": "array"}  # no item schema
