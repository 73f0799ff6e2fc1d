"""Chat models that run small language models in-process.

``ChatLlamaCpp`` lives in its own module and imports llama-cpp-python only when a
model is built, so importing this package stays cheap.
"""

from hetero_agents.chat_models.llama_cpp import ChatLlamaCpp

__all__ = ["ChatLlamaCpp"]
