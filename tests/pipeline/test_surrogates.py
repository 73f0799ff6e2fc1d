"""Surrogates: consistent within an example, deterministic, and careful with tool schemas."""

from __future__ import annotations

import re
from typing import Any

from hetero_agents.pipeline import _surrogate_words as words
from hetero_agents.pipeline.surrogates import Surrogates, apply_surrogates

TOOLS = [
    {
        "type": "function",
        "function": {
            "name": "book_table",
            "parameters": {
                "type": "object",
                "properties": {
                    "guest": {"type": "string"},
                    "city": {"type": "string"},
                    "party": {"type": "integer", "maximum": 500},
                    "order_id": {"type": "integer"},
                    "unit": {"type": "string", "enum": ["Metric", "Imperial"]},
                },
            },
        },
    }
]


def _human(text: str) -> dict[str, Any]:
    return {"type": "human", "data": {"content": text, "additional_kwargs": {}}}


def _call(args: dict[str, Any], text: str = "") -> dict[str, Any]:
    call = {"name": "book_table", "args": args, "id": "call_1", "type": "tool_call"}
    return {"type": "ai", "data": {"content": text, "tool_calls": [call]}}


def _args(message: dict[str, Any]) -> dict[str, Any]:
    args: dict[str, Any] = message["data"]["tool_calls"][0]["args"]
    return args


PROMPT = (
    "Hello Maria Lindqvist here. Book a table for Maria Lindqvist in Trondheim for 120 "
    "people, order 88412, Metric units. Maria prefers the window."
)
ARGS = {"guest": "Maria Lindqvist", "city": "Trondheim", "party": 120, "order_id": 88412}


def test_names_places_and_numbers_map_the_same_way_in_prompt_and_arguments() -> None:
    (human,), answer, _ = apply_surrogates(
        [_human(PROMPT)], TOOLS, _call({**ARGS, "unit": "Metric"})
    )
    text = human["data"]["content"]
    args = _args(answer)
    for original in ("Maria", "Lindqvist", "Trondheim", "88412"):
        assert original not in text
        assert original not in str(args)
    guest, city, order = args["guest"], args["city"], args["order_id"]
    first, last = guest.split(" ")
    assert first in words.FIRST_NAMES
    assert last in words.LAST_NAMES
    assert city in words.PLACES
    assert text.count(guest) == 2  # both mentions of the full name
    assert f"{first} prefers" in text  # the first name alone maps to the same person
    assert f"in {city} for" in text
    assert isinstance(order, int)
    assert len(str(order)) == 5
    assert str(order) in text


def test_schema_values_constrained_numbers_and_short_numbers_are_kept() -> None:
    (human,), answer, _ = apply_surrogates(
        [_human(PROMPT)], TOOLS, _call({**ARGS, "unit": "Metric"})
    )
    args = _args(answer)
    assert args["unit"] == "Metric"  # an enum value: changing it would break the schema
    assert args["party"] == 120  # bounded by "maximum": a surrogate could exceed it
    assert "for 120 people" in human["data"]["content"]  # ...and kept in the text to match
    short = Surrogates([_human("top 5 results for 42 rooms")], None)
    assert short.text("top 5 results for 42 rooms") == "top 5 results for 42 rooms"


def test_numbers_keep_their_shape() -> None:
    mapping = Surrogates([_human("call 555-0142 about invoice 2024.117")], None)
    result = mapping.text("call 555-0142 about invoice 2024.117")
    match = re.fullmatch(r"call (\d{3})-(\d{4}) about invoice (\d{4})\.(\d{3})", result)
    assert match is not None
    assert result != "call 555-0142 about invoice 2024.117"
    assert not match.group(1).startswith("0")
    assert mapping.value(2024.117) == float(f"{match.group(3)}.{match.group(4)}")


def test_surrogates_are_deterministic_and_depend_on_the_seed() -> None:
    messages = [_human(PROMPT)]
    a = apply_surrogates(messages, TOOLS, _call(ARGS), seed=1)[:2]
    b = apply_surrogates(messages, TOOLS, _call(ARGS), seed=1)[:2]
    c = apply_surrogates(messages, TOOLS, _call(ARGS), seed=2)[:2]
    assert a == b
    assert a != c


def test_words_without_evidence_placeholders_and_tool_names_are_left_alone() -> None:
    text = "Please use Python to parse <EMAIL_1> and call book_table. Thanks, Excel team."
    mapping = Surrogates([_human(text)], TOOLS)
    assert mapping.text(text) == text


def test_two_people_never_share_a_surrogate_and_no_surrogate_is_a_real_name() -> None:
    names = ["Ann Lee", "Bo Chen", "Cy Diaz", "Di Evans", "Ed Fox", "Flo Gray", "Gus Hill"]
    text = " and ".join(f"Dear {name}" for name in names) + ". Also Alex Smith."
    mapping = Surrogates([_human(text)], None)
    replaced = [mapping.text(f"Dear {name}")[5:] for name in names]
    assert len(set(replaced)) == len(names)
    assert "Alex Smith" not in replaced


def test_alternate_answers_reuse_the_examples_mapping() -> None:
    messages = [_human("Reserve for Maria Lindqvist in Trondheim")]
    _, answer, mapping = apply_surrogates(messages, TOOLS, _call(ARGS))
    other = mapping.message(_call({"guest": "Maria Lindqvist", "city": "Trondheim"}, "Done."))
    assert _args(other)["guest"] == _args(answer)["guest"]
    assert _args(other)["city"] == _args(answer)["city"]
