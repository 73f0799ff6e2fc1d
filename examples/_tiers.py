"""The models behind the examples: embedded by default, chosen by environment variables.

    HETERO_AGENTS_EXAMPLE_SLM      the in-process SLM: catalog name or .gguf
                                   (default qwen2.5-coder-0.5b)
    HETERO_AGENTS_EXAMPLE_LLM      the LLM: catalog name or .gguf (default qwen2.5-coder-1.5b),
                                   or the model name at HETERO_AGENTS_EXAMPLE_LLM_URL
    HETERO_AGENTS_EXAMPLE_LLM_URL  an OpenAI-compatible endpoint (OpenAI, vLLM, NIM) to use
                                   as the LLM instead; its key comes from OPENAI_API_KEY
    HETERO_AGENTS_EXAMPLE_THREADS  llama.cpp threads per model (default: half the cores)

CI runs every example with ``smollm2-135m`` for both tiers: fast, but too small
to be a good agent, so read its answers as a smoke test, not a demo of quality.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

from langchain_core.language_models import BaseChatModel

from hetero_agents.chat_models import ChatLlamaCpp
from hetero_agents.models import load_model

SLM = os.environ.get("HETERO_AGENTS_EXAMPLE_SLM", "qwen2.5-coder-0.5b")
LLM = os.environ.get("HETERO_AGENTS_EXAMPLE_LLM", "qwen2.5-coder-1.5b")
LLM_URL = os.environ.get("HETERO_AGENTS_EXAMPLE_LLM_URL")
THREADS = (
    int(os.environ["HETERO_AGENTS_EXAMPLE_THREADS"])
    if os.environ.get("HETERO_AGENTS_EXAMPLE_THREADS")
    else None
)
MAX_TOKENS = 128


def slm() -> ChatLlamaCpp:
    """The small model, in-process."""
    return load_model(SLM, n_threads=THREADS, temperature=0.0, max_tokens=MAX_TOKENS, seed=0)


def llm() -> BaseChatModel:
    """The large model, in-process (the endpoint variant is :func:`llm_endpoint`)."""
    return load_model(LLM, n_threads=THREADS, temperature=0.0, max_tokens=MAX_TOKENS, seed=0)


@contextmanager
def llm_endpoint() -> Iterator[BaseChatModel]:
    """The large model behind an OpenAI-compatible endpoint, reached with the openai client.

    Without ``HETERO_AGENTS_EXAMPLE_LLM_URL`` the endpoint is llama-cpp-python's
    server on a free loopback port, started here and stopped on leaving.
    """
    from langchain_openai import ChatOpenAI

    if LLM_URL:
        key = os.environ.get("OPENAI_API_KEY", "none")  # local engines often need none
        yield ChatOpenAI(
            model=LLM, base_url=LLM_URL, api_key=key, temperature=0.0, max_tokens=MAX_TOKENS
        )
        return
    from hetero_agents.models.server import LocalLLMServer

    with LocalLLMServer(LLM, n_threads=THREADS) as server:
        print(f"[LLM {server.model_name} served at {server.base_url}]")
        yield server.chat_model(temperature=0.0, max_tokens=MAX_TOKENS)


def name(model: BaseChatModel) -> str:
    """The model's name as responses and logs carry it."""
    label = getattr(model, "model_name", None) or getattr(model, "model", None)
    return label if isinstance(label, str) else type(model).__name__
