"""langchain-tests' unit suite: construction, tool binding and structured output wiring."""

from __future__ import annotations

from typing import Any

from langchain_tests.unit_tests import ChatModelUnitTests
from llama_fakes import InertLlama

from hetero_agents.chat_models import ChatLlamaCpp


class TestChatLlamaCppUnit(ChatModelUnitTests):
    @property
    def chat_model_class(self) -> type[ChatLlamaCpp]:
        return ChatLlamaCpp

    @property
    def chat_model_params(self) -> dict[str, Any]:
        return {"client": InertLlama(), "model_name": "inert-test-model"}

    @property
    def supports_model_override(self) -> bool:
        # One ChatLlamaCpp is one loaded GGUF; ``model=`` per call cannot switch it.
        return False
