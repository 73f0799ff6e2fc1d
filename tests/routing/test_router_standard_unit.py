"""langchain-tests' standard unit tests for ChatRouter, with scripted tiers."""

from __future__ import annotations

from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_tests.unit_tests import ChatModelUnitTests
from routing_fakes import call, scripted

from hetero_agents.routing import ChatRouter


class TestChatRouterUnit(ChatModelUnitTests):
    @property
    def chat_model_class(self) -> type[BaseChatModel]:
        return ChatRouter

    @property
    def chat_model_params(self) -> dict[str, Any]:
        return {
            "llm": scripted(call("my_adder_tool", {"a": 1, "b": 2}), "big"),
            "slms": {"tiny": scripted(call("my_adder_tool", {"a": 1, "b": 2}), "tiny")},
        }
