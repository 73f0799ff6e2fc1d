"""Verbatim repetition inside constrained JSON is penalised, so calls close within budget.

Regression for BFCL ``multiple_136`` with SmolLM2-135M: asked for a crime rate and
offered a poker tool too, the greedy model picked the poker tool and wrote
``"players": ["Mike Brown", "Mike Brown", ...]`` up to the 32-item array bound
(160 of 256 tokens), then ran out of tokens inside the required ``cards`` object.
DRY (on by default under a grammar) did not stop it, because the double quote was
a sequence breaker and every JSON string item is quoted.
"""

from __future__ import annotations

from typing import Any

import pytest

from hetero_agents.chat_models import ChatLlamaCpp

pytestmark = pytest.mark.model

CRIME_RATE = {
    "type": "function",
    "function": {
        "name": "get_crime_rate",
        "description": "Retrieve the official crime rate of a city.",
        "parameters": {
            "type": "object",
            "properties": {
                "city": {"type": "string", "description": "The name of the city."},
                "state": {"type": "string", "description": "The state where the city is located."},
                "type": {"type": "string", "description": "Optional. The type of crime."},
                "year": {"type": "integer", "description": "Optional. The year."},
            },
            "required": ["city", "state"],
        },
    },
}

POKER = {
    "type": "function",
    "function": {
        "name": "poker_game_winner",
        "description": "Identify the winner in a poker game based on the cards.",
        "parameters": {
            "type": "object",
            "properties": {
                "players": {
                    "type": "array",
                    "description": "Names of the players in a list.",
                    "items": {"type": "string"},
                },
                "cards": {
                    "type": "object",
                    "description": "An object containing the player name as key and the "
                    "cards as values in a list.",
                },
                "type": {
                    "type": "string",
                    "description": "Type of poker game. Defaults to 'Texas Holdem'",
                },
            },
            "required": ["players", "cards"],
        },
    },
}

QUESTION = "Provide me the official crime rate of violent crime in San Francisco in 2020."


def test_repeated_array_items_do_not_exhaust_the_budget(smollm2_llama: Any) -> None:
    chat = ChatLlamaCpp(client=smollm2_llama, model_name="smollm2-135m", max_tokens=256)
    message = chat.bind_tools([CRIME_RATE, POKER], tool_choice="any").invoke(QUESTION)

    assert not message.invalid_tool_calls, message.invalid_tool_calls
    assert message.response_metadata["finish_reason"] == "tool_calls"
    assert len(message.tool_calls) == 1
    for value in message.tool_calls[0]["args"].values():
        if isinstance(value, list):  # a runaway list fills the bound (32); stopped, it is short
            assert len(value) <= 4, value
