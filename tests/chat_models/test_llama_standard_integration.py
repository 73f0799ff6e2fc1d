"""langchain-tests' integration suite against the real SmolLM2-135M, in-process.

The deviations below are explicit and each names the real limitation. Tool calling
and structured output have none: the grammar makes even a 135M model's calls and
JSON valid, including ``tool_choice="any"`` with several tools and no-arg tools.
"""

from __future__ import annotations

from typing import Any

import pytest
from langchain_core.language_models import BaseChatModel
from langchain_tests.integration_tests import ChatModelIntegrationTests

from hetero_agents.chat_models import ChatLlamaCpp

pytestmark = pytest.mark.model


class TestChatLlamaCppIntegration(ChatModelIntegrationTests):
    llama: Any = None

    @pytest.fixture(autouse=True)
    def _shared_model(self, smollm2_llama: Any) -> None:
        type(self).llama = smollm2_llama

    @property
    def chat_model_class(self) -> type[ChatLlamaCpp]:
        return ChatLlamaCpp

    @property
    def chat_model_params(self) -> dict[str, Any]:
        return {"client": self.llama, "model_name": "smollm2-135m", "max_tokens": 128}

    @property
    def supports_model_override(self) -> bool:
        # One ChatLlamaCpp is one loaded GGUF; ``model=`` per call cannot switch it.
        return False

    @property
    def supports_json_mode(self) -> bool:
        return True

    @pytest.mark.xfail(
        reason=(
            "SmolLM2-135M never chooses to call a tool under tool_choice='auto': it "
            "answers the weather question in text. The grammar constrains the form of "
            "a call, not the decision to make one (forced choices pass; Qwen2.5-Coder "
            "calls under 'auto', see test_llama_qwen.py)."
        ),
        strict=True,
    )
    @pytest.mark.parametrize("model", [{}, {"output_version": "v1"}], indirect=True)
    def test_agent_loop(self, model: BaseChatModel) -> None:
        super().test_agent_loop(model)
