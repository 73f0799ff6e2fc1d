"""with_structured_output on SmolLM2: every schema kind and method yields valid data."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any

import pytest
from langchain_core.messages import AIMessage
from pydantic import BaseModel, Field
from typing_extensions import TypedDict

from hetero_agents.chat_models import ChatLlamaCpp

pytestmark = pytest.mark.model


class Mood(StrEnum):
    happy = "happy"
    sad = "sad"


class Pet(BaseModel):
    """A pet and its owner's feelings about it."""

    name: str = Field(description="The pet's name")
    legs: int = Field(description="How many legs it has")
    mood: Mood
    toys: list[str] = Field(description="Favourite toys", max_length=3)  # grammar-enforced


class PetDict(TypedDict):
    """A pet."""

    name: Annotated[str, ..., "The pet's name"]
    legs: Annotated[int, ..., "How many legs it has"]


PET_SCHEMA: dict[str, Any] = {
    "title": "pet",
    "description": "A pet.",
    "type": "object",
    "properties": {"name": {"type": "string"}, "legs": {"type": "integer"}},
    "required": ["name", "legs"],
}
PROMPT = "Describe a cat called Tom."


@pytest.mark.parametrize("method", ["json_schema", "function_calling"])
def test_pydantic_schema_gives_a_validated_instance(smollm2: ChatLlamaCpp, method: str) -> None:
    result = smollm2.with_structured_output(Pet, method=method).invoke(PROMPT)
    assert isinstance(result, Pet)
    assert len(result.toys) <= 3


@pytest.mark.parametrize("method", ["json_schema", "function_calling"])
@pytest.mark.parametrize("schema", [PetDict, PET_SCHEMA], ids=["typeddict", "json_schema_dict"])
def test_dict_schemas_give_dicts_with_the_required_keys(
    smollm2: ChatLlamaCpp, schema: Any, method: str
) -> None:
    result = smollm2.with_structured_output(schema, method=method).invoke(PROMPT)
    assert isinstance(result, dict)
    assert set(result) == {"name", "legs"}
    assert isinstance(result["name"], str)
    assert isinstance(result["legs"], int)


def test_json_mode_gives_a_json_object(smollm2: ChatLlamaCpp) -> None:
    result = smollm2.with_structured_output(None, method="json_mode").invoke(
        "Return a JSON object with a key 'name' for a cat called Tom."
    )
    assert isinstance(result, dict)


def test_streamed_structured_output_ends_valid(smollm2: ChatLlamaCpp) -> None:
    chunks = list(smollm2.with_structured_output(PET_SCHEMA).stream(PROMPT))
    assert chunks
    assert set(chunks[-1]) == {"name", "legs"}


def test_include_raw_returns_the_message_and_the_parsed_value(smollm2: ChatLlamaCpp) -> None:
    result = smollm2.with_structured_output(Pet, include_raw=True).invoke(PROMPT)
    assert isinstance(result["raw"], AIMessage)
    assert isinstance(result["parsed"], Pet)
    assert result["parsing_error"] is None


def test_include_raw_reports_a_truncated_answer_instead_of_raising(smollm2: ChatLlamaCpp) -> None:
    terse = smollm2.model_copy(update={"max_tokens": 4})
    result = terse.with_structured_output(Pet, include_raw=True).invoke(PROMPT)
    assert result["raw"].response_metadata["finish_reason"] == "length"
    assert result["parsed"] is None
    assert result["parsing_error"] is not None


def test_unknown_method_and_missing_schema_are_value_errors(smollm2: ChatLlamaCpp) -> None:
    with pytest.raises(ValueError, match="unknown method 'xml'"):
        smollm2.with_structured_output(Pet, method="xml")
    with pytest.raises(ValueError, match="needs a schema"):
        smollm2.with_structured_output(None)
    with pytest.raises(ValueError, match="unsupported with_structured_output arguments"):
        smollm2.with_structured_output(Pet, tools=[])
