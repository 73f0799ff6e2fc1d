"""Record a known-task workload into a real log database, through the real ``CallLogger``.

End-to-end runs (``curate`` -> ``cluster`` -> ... on a ``logs.db``) need calls
recorded the way S1 records an agent: each workload call is replayed on a chat
model that answers with the call's recorded answer, with its tools bound, its
task and node in the run metadata (``hetero_task``, ``langgraph_node``) and a
``CallLogger`` attached. Nothing is faked below the model: redaction, the
background writer and the schema are the ones a live agent goes through.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel, LanguageModelInput
from langchain_core.language_models.base import LangSmithParams
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from langchain_core.runnables import Runnable

from hetero_agents.logs.logger import CallLogger
from hetero_agents.logs.store import LogStore
from hetero_agents.pipeline._progress import progress_bar
from hetero_agents.pipeline.records import Example


class RecordedAnswer(BaseChatModel):
    """A chat model that answers every call with one given message (the recorded answer)."""

    answer: AIMessage
    model: str = "workload"

    @property
    def _llm_type(self) -> str:
        return "recorded-answer"

    def _get_ls_params(self, stop: list[str] | None = None, **kwargs: Any) -> LangSmithParams:
        params = super()._get_ls_params(stop=stop, **kwargs)
        params["ls_model_name"] = self.model
        return params

    def bind_tools(
        self, tools: Sequence[Any], *, tool_choice: Any = None, **kwargs: Any
    ) -> Runnable[LanguageModelInput, AIMessage]:
        """Bind OpenAI-format tools, so the logger records them as a real model's."""
        return self.bind(tools=list(tools), tool_choice=tool_choice, **kwargs)

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        return ChatResult(generations=[ChatGeneration(message=self.answer.model_copy())])


def log_workload(
    examples: Sequence[Example],
    db: str | os.PathLike[str] | LogStore,
    *,
    progress: bool = True,
) -> int:
    """Record ``examples`` as LLM calls of an agent into the log database ``db``.

    Args:
        examples: Calls, e.g. from :func:`~hetero_agents.pipeline.workload.build_workload`.
        db: A database path or an open :class:`~hetero_agents.logs.store.LogStore`.
        progress: Show a progress bar (stderr).

    Returns:
        How many calls were replayed (the logger's health counts any it dropped).
    """
    with (
        CallLogger(db) as logger,
        progress_bar("logging calls", len(examples), enabled=progress) as bar,
    ):
        for example in examples:
            model = RecordedAnswer(
                answer=example.response_message(), model=example.model or "workload"
            )
            runnable = model.bind_tools(example.tools) if example.tools else model
            metadata: dict[str, Any] = {}
            if example.task is not None:
                metadata["hetero_task"] = example.task
            if example.node is not None:
                metadata["langgraph_node"] = example.node
            runnable.invoke(
                example.to_messages(), config={"callbacks": [logger], "metadata": metadata}
            )
            bar.advance(1)
    return len(examples)
