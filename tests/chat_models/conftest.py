"""Fixtures for the chat-model tests: one SmolLM2 load per session, shared by all.

Tests that generate use ``n_threads=1`` and temperature 0: the machines these run
on have two cores, and greedy decoding makes every answer reproducible.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from hetero_agents.chat_models import ChatLlamaCpp

N_CTX = 2048


@pytest.fixture(scope="session")
def smollm2_llama(smollm2_path: Path) -> Iterator[Any]:
    """A loaded ``llama_cpp.Llama`` of SmolLM2-135M, shared across the session."""
    import llama_cpp

    llama = llama_cpp.Llama(model_path=str(smollm2_path), n_ctx=N_CTX, n_threads=1, verbose=False)
    yield llama
    llama.close()


@pytest.fixture
def smollm2(smollm2_llama: Any) -> ChatLlamaCpp:
    """A fresh greedy ChatLlamaCpp around the shared model."""
    return ChatLlamaCpp(client=smollm2_llama, model_name="smollm2-135m", max_tokens=96)


@pytest.fixture(scope="session")
def qwen05_path() -> Path:
    """Qwen2.5-Coder-0.5B, when its carrier packages are installed (not in plain CI)."""
    from hetero_agents.errors import CarrierNotInstalledError
    from hetero_agents.models import model_path

    try:
        return model_path("qwen2.5-coder-0.5b")
    except CarrierNotInstalledError as exc:
        pytest.skip(f"qwen2.5-coder-0.5b is not installed here: {exc}")
