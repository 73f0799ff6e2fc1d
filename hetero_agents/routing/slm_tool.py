"""``slm_tool``: an SLM as a tool the LLM agent can delegate a narrow subtask to.

The paper's second way in: the LLM keeps the conversation and the plan, and
hands extraction, classification, summarising or rewriting to a small model by
calling a tool. With an ``output_schema`` the tool returns structured data
(grammar-constrained on ``ChatLlamaCpp``), which ``ToolNode`` passes back to
the LLM as JSON.
"""

from __future__ import annotations

from typing import Any

from langchain_core.callbacks import AsyncCallbackManagerForToolRun, CallbackManagerForToolRun
from langchain_core.language_models import BaseChatModel, LanguageModelInput
from langchain_core.messages import BaseMessage, HumanMessage, SystemMessage
from langchain_core.runnables import Runnable, RunnableConfig
from langchain_core.tools import BaseTool
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, model_validator

from hetero_agents.routing.context import TASK_KEY, TIER_KEY

_NAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-")


class SLMToolInput(BaseModel):
    """What the calling LLM passes: the text the subtask works on."""

    input: str = Field(description="The text to work on, with any detail the task needs.")


class SLMTool(BaseTool):
    """A tool that answers by asking a (small) chat model; see :func:`slm_tool`."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    args_schema: type[BaseModel] = SLMToolInput
    model: BaseChatModel
    instructions: str
    result_schema: type[BaseModel] | dict[str, Any] | None = None

    _runnable: Runnable[LanguageModelInput, Any] = PrivateAttr()

    @model_validator(mode="after")
    def _build(self) -> SLMTool:
        if not self.name or not set(self.name) <= _NAME_CHARS:
            raise ValueError(
                f"tool name {self.name!r} must be non-empty letters, digits, '_' or '-' "
                "(model providers reject other names)"
            )
        if self.result_schema is None:
            self._runnable = self.model
        else:
            self._runnable = self.model.with_structured_output(self.result_schema)
        return self

    def _messages(self, text: str) -> list[BaseMessage]:
        return [SystemMessage(content=self.instructions), HumanMessage(content=text)]

    def _config(self, callbacks: Any) -> RunnableConfig:
        # the SLM's call is a child of the tool run, attributed to this task and tier
        return {
            "callbacks": callbacks,
            "metadata": {TASK_KEY: self.name, TIER_KEY: "slm"},
            "run_name": f"{self.name}.model",
        }

    def _output(self, value: Any) -> str | dict[str, Any]:
        if isinstance(value, BaseMessage):  # before BaseModel: messages are pydantic models too
            return value.text
        if isinstance(value, BaseModel):
            return value.model_dump(mode="json")
        if isinstance(value, dict):
            return value
        return str(value)

    def _run(
        self,
        input: str,
        run_manager: CallbackManagerForToolRun | None = None,
    ) -> str | dict[str, Any]:
        callbacks = run_manager.get_child() if run_manager is not None else None
        value = self._runnable.invoke(self._messages(input), self._config(callbacks))
        return self._output(value)

    async def _arun(
        self,
        input: str,
        run_manager: AsyncCallbackManagerForToolRun | None = None,
    ) -> str | dict[str, Any]:
        callbacks = run_manager.get_child() if run_manager is not None else None
        value = await self._runnable.ainvoke(self._messages(input), self._config(callbacks))
        return self._output(value)


def slm_tool(
    model: BaseChatModel,
    *,
    name: str,
    description: str,
    output_schema: type[BaseModel] | dict[str, Any] | None = None,
    instructions: str | None = None,
) -> SLMTool:
    """Expose ``model`` as a tool an LLM agent can call to delegate a subtask.

    Args:
        model: The chat model that does the work (``ChatLlamaCpp``, a ``ChatRouter``,
            any chat model).
        name: The tool's name as the LLM sees it (letters, digits, ``_``, ``-``).
        description: When the LLM should call it; shown to the LLM.
        output_schema: A pydantic class or JSON schema: the tool then returns a dict
            that validates against it, instead of text.
        instructions: The system prompt the SLM gets (default: ``description``).

    Returns:
        A ``BaseTool`` with one string argument, ``input``; sync and async.

    Example:
        >>> class Dates(BaseModel):
        ...     dates: list[str]
        >>> extract = slm_tool(load_model("qwen2.5-coder-0.5b"), name="extract_dates",
        ...                    description="List every date in a text.", output_schema=Dates)
        >>> agent = create_react_agent(llm, [extract, ...])
    """
    return SLMTool(
        name=name,
        description=description,
        model=model,
        instructions=instructions or description,
        result_schema=output_schema,
    )
